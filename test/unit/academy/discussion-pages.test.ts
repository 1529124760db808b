import { positionRange } from '../../../api/products/academy/discussion-pages';

describe('a page of comments by position', () => {
  it('oldest first: page p of n covers positions (p-1)·n+1 … p·n, the last page what is left', () => {
    expect(positionRange(1, 10, 25, 'oldest')).toEqual({ from: 1, to: 10 });
    expect(positionRange(2, 10, 25, 'oldest')).toEqual({ from: 11, to: 20 });
    expect(positionRange(3, 10, 25, 'oldest')).toEqual({ from: 21, to: 25 });
  });

  it('newest first: page 1 ends at the last position, the last page starts at 1', () => {
    expect(positionRange(1, 10, 25, 'newest')).toEqual({ from: 16, to: 25 });
    expect(positionRange(2, 10, 25, 'newest')).toEqual({ from: 6, to: 15 });
    expect(positionRange(3, 10, 25, 'newest')).toEqual({ from: 1, to: 5 });
  });

  it('a page past the last one, or of an empty thread, covers nothing', () => {
    expect(positionRange(4, 10, 25, 'oldest')).toBeNull();
    expect(positionRange(4, 10, 25, 'newest')).toBeNull();
    expect(positionRange(1, 10, 0, 'oldest')).toBeNull();
    expect(positionRange(1, 10, 0, 'newest')).toBeNull();
  });

  it('a deep page of 10,000 is one range, the same size as the first', () => {
    expect(positionRange(1000, 10, 10_000, 'oldest')).toEqual({ from: 9991, to: 10_000 });
    expect(positionRange(1000, 10, 10_000, 'newest')).toEqual({ from: 1, to: 10 });
  });
});

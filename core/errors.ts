/**
 * One error vocabulary for services, activities and HTTP. The code doubles as the Temporal
 * ApplicationFailure type, so a business failure raised in an activity keeps its meaning.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class Invalid extends AppError {
  constructor(message: string, field?: string) {
    super('invalid_request', 400, message, field);
  }
}
export class Unauthorized extends AppError {
  constructor(message = 'authentication required') {
    super('unauthorized', 401, message);
  }
}
export class Forbidden extends AppError {
  constructor(message = 'admin role required') {
    super('forbidden', 403, message);
  }
}
export class NotFound extends AppError {
  constructor(what: string) {
    super('not_found', 404, `${what} not found`);
  }
}
export class Conflict extends AppError {
  constructor(message: string, field?: string) {
    super('conflict', 409, message, field);
  }
}
export class TooManyRequests extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', 429, message);
  }
}
export class Unavailable extends AppError {
  constructor(message: string) {
    super('unavailable', 503, message);
  }
}

import type { Knex } from 'knex';
import { NotFound } from '../../../core/errors';
import type { PaasCaller } from './auth';
import { Template } from './models';

const summary = (t: Template) => ({
  id: t.id,
  name: t.name,
  type: t.type,
  description: t.description,
  icon: t.icon,
  category: t.category,
  tags: t.tags,
  is_public: t.is_public,
  created_at: t.created_at.toISOString(),
});

/** The template catalog: public templates for everyone, every template for admins. */
export function createTemplateService(deps: { db: Knex }) {
  const { db } = deps;
  const visible = (caller: PaasCaller) => {
    const q = Template.query(db);
    return caller.user.role === 'admin' ? q : q.where({ is_public: true });
  };

  return {
    async list(caller: PaasCaller) {
      const templates = await visible(caller).orderBy('category').orderBy('name');
      return { templates: templates.map(summary), total: templates.length };
    },

    /** Its config shows the `{{VAR}}` placeholders; `variables` says which are secrets or have defaults. */
    async get(caller: PaasCaller, id: string) {
      const t = await visible(caller).findById(id);
      if (!t) throw new NotFound('Template');
      const { is_public, created_at, ...head } = summary(t);
      return {
        ...head,
        config: t.config,
        health_check: t.health_check,
        variables: t.variables,
        is_public,
        created_at,
      };
    },
  };
}
export type TemplateService = ReturnType<typeof createTemplateService>;

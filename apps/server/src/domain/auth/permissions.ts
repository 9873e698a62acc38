/**
 * Permissions are `resource:action` strings (linkmesh-docs §4). Built-in roles are fixed sets of
 * them; a principal's effective permissions are the union over its roles.
 */
export const resources = [
  'collectors',
  'enrollment-tokens',
  'pipelines',
  'sources',
  'destinations',
  'routes',
  'groups',
  'users',
  'roles',
  'service-accounts',
  'audit',
  'settings',
] as const;
export type Resource = (typeof resources)[number];

export const actions = ['read', 'create', 'update', 'delete'] as const;
export type Action = (typeof actions)[number];

export type Permission = `${Resource}:${Action}`;

const all = (resource: Resource): Permission[] => actions.map((action) => `${resource}:${action}` as const);
const readOnly = (resource: Resource): Permission => `${resource}:read`;

const pipelineResources: Resource[] = ['pipelines', 'sources', 'destinations', 'routes', 'groups'];

export const builtInRoles = {
  Admin: resources.flatMap(all),
  Operator: [
    ...all('collectors'),
    ...all('enrollment-tokens'),
    ...pipelineResources.map(readOnly),
    readOnly('audit'),
    readOnly('settings'),
  ],
  'Pipeline Engineer': [readOnly('collectors'), ...pipelineResources.flatMap(all)],
  Viewer: [readOnly('collectors'), readOnly('enrollment-tokens'), ...pipelineResources.map(readOnly)],
} satisfies Record<string, Permission[]>;

export type BuiltInRoleName = keyof typeof builtInRoles;

export function isPermission(value: string): value is Permission {
  const [resource, action, ...rest] = value.split(':');
  return (
    rest.length === 0 &&
    (resources as readonly string[]).includes(resource ?? '') &&
    (actions as readonly string[]).includes(action ?? '')
  );
}

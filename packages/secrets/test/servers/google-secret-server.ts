import { type LocalServer, startLocalServer } from './local-server';

/** A local server speaking Secret Manager's REST `versions/*:access` call (what the client's REST mode sends). */
export interface GoogleSecretServer extends LocalServer {
  /** Adds a new version of a secret (as `addSecretVersion` does). */
  put(project: string, secret: string, value: string): void;
}

const ERROR = (code: number, status: string, message: string) => ({
  status: code,
  body: { error: { code, message, status } },
});

/** Starts it on 127.0.0.1; requests must carry `Authorization: Bearer <token>`. */
export async function startGoogleSecretServer(token: string): Promise<GoogleSecretServer> {
  const secrets = new Map<string, string[]>();
  const server = await startLocalServer((request) => {
    if (request.headers.authorization !== `Bearer ${token}`) {
      return ERROR(
        403,
        'PERMISSION_DENIED',
        "Permission 'secretmanager.versions.access' denied for resource.",
      );
    }
    const path = decodeURIComponent(request.url.split('?')[0] ?? '');
    const match = /^\/v1\/projects\/([^/]+)\/secrets\/([^/]+)\/versions\/([^/:]+):access$/.exec(path);
    if (request.method !== 'GET' || !match) return ERROR(404, 'NOT_FOUND', 'Method not found.');
    const [, project, secret, wanted] = match as unknown as [string, string, string, string];
    const versions = secrets.get(`${project}/${secret}`) ?? [];
    const number = wanted === 'latest' ? versions.length : Number(wanted);
    const value = versions[number - 1];
    if (value === undefined) {
      return ERROR(
        404,
        'NOT_FOUND',
        `Secret [projects/${project}/secrets/${secret}] not found or has no versions.`,
      );
    }
    return {
      status: 200,
      body: {
        name: `projects/${project}/secrets/${secret}/versions/${number}`,
        payload: { data: Buffer.from(value).toString('base64') },
      },
    };
  });
  return Object.assign(server, {
    put(project: string, secret: string, value: string) {
      secrets.set(`${project}/${secret}`, [...(secrets.get(`${project}/${secret}`) ?? []), value]);
    },
  });
}

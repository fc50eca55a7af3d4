// A real OpenID Connect provider (the npm package oidc-provider) for the sign-in tests,
// started by tests/identity/conftest.py. Configuration comes as JSON in OIDC_TEST_CONFIG:
//   {"port": 5555, "clients": [{"client_id", "client_secret", "redirect_uris"}],
//    "accounts": {"login name": {"email", "email_verified", "name", "signaal_role"}},
//    "wrong_audience_clients": ["client id whose ID tokens name another audience"]}
// Its own login page (devInteractions) takes any login name of `accounts` and any password;
// consent is granted at once, as an organisation's IdP does for its own applications.
import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair, SignJWT, decodeJwt } from 'jose';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG);
const issuer = `http://127.0.0.1:${config.port}`;
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'signaal-test', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    ...client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  })),
  jwks: { keys: [jwk] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'signaal_role'],
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
  findAccount: async (ctx, id) => {
    const account = config.accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name', 'signaal_role']);
    await grant.save();
    return grant;
  },
});

// A misconfigured IdP: the ID token names another application as its audience.
provider.use(async (ctx, next) => {
  await next();
  const client = ctx.oidc?.client?.clientId;
  if (ctx.path !== '/token' || !config.wrong_audience_clients?.includes(client)) return;
  if (!ctx.body?.id_token) return;
  const claims = { ...decodeJwt(ctx.body.id_token), aud: 'another-application' };
  ctx.body = {
    ...ctx.body,
    id_token: await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
      .sign(privateKey),
  };
});

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});

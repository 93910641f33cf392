// A certified OpenID Connect provider (panva/node-oidc-provider) for tests/test_oidc_provider.py:
// `node server.mjs PORT AUDIENCE CLIENT_SECRET` issues JWT access tokens for AUDIENCE to the
// client `groundwork-tests` (client_credentials with a resource indicator), signed with an RSA
// key made at start, with the `roles` claim the generated service maps.
import { generateKeyPairSync } from "node:crypto";

import Provider from "oidc-provider";

const [port, audience, clientSecret] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test-key", alg: "RS256", use: "sig" };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "groundwork-tests",
      client_secret: clientSecret,
      grant_types: ["client_credentials"],
      redirect_uris: [],
      response_types: [],
      scope: "api",
    },
  ],
  scopes: ["api"],
  jwks: { keys: [signingKey] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource) => {
        if (resource !== audience) throw new Error(`unknown resource ${resource}`);
        return {
          scope: "api",
          audience,
          accessTokenTTL: 300,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "RS256" } },
        };
      },
    },
  },
  extraTokenClaims: () => ({ roles: ["admin"] }),
});

provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`listening ${issuer}`);
});

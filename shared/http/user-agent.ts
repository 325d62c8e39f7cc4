import { version } from "../../package.json";

/**
 * How the product names itself on every request to a cloud, as the official SDKs name themselves
 * (NCP's Go SDK `vserver/1.0.7/go`, services/vserver/configuration.go; the SCP provider
 * `scpclient/0.0.1`, samsungcloudplatform/client/client.go NewDefaultConfig) and as the AWS and
 * Slack SDKs do: `<product>/<version>`. The version is package.json's, put into the bundle by
 * esbuild at build time (a named JSON import keeps only that field), never read from disk at run time.
 */
export const USER_AGENT = `imageops/${version}`;

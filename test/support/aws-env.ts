/** Points the real AWS SDK at local endpoints with throwaway credentials (nothing leaves 127.0.0.1). */
export function useAwsEnv(secretsManagerUrl: string, extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    AWS_REGION: "ap-northeast-2",
    AWS_ACCESS_KEY_ID: "AKIALOCALTEST0000000",
    AWS_SECRET_ACCESS_KEY: "local-test-not-a-secret",
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManagerUrl,
    AWS_EC2_METADATA_DISABLED: "true",
    ...extra,
  });
}

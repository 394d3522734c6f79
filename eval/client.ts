/** The eval's GraphQL client: plain HTTP, as any client of the API. */

export class EvalClient {
  private token?: string;

  constructor(private readonly graphqlUrl: string) {}

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(this.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (body.errors?.length || !body.data) throw new Error(`GraphQL: ${body.errors?.map((error) => error.message).join("; ") ?? response.status}`);
    return body.data;
  }

  async signUp(): Promise<void> {
    const { register } = await this.request<{ register: { accessToken: string } }>(
      "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
      { input: { name: "Eval", email: `eval-${Date.now()}@example.com`, password: "eval-password-1" } },
    );
    this.token = register.accessToken;
  }

  /** Uploads a file (GraphQL multipart request) and waits until it is READY; its id. */
  async upload(filename: string, content: Buffer, contentType: string, timeoutMs = 600_000): Promise<string> {
    const form = new FormData();
    const query = "mutation($file: Upload!) { uploadFile(file: $file) { id } }";
    form.append("operations", JSON.stringify({ query, variables: { file: null } }));
    form.append("map", JSON.stringify({ 0: ["variables.file"] }));
    form.append("0", new Blob([content], { type: contentType }), filename);
    const response = await fetch(this.graphqlUrl, {
      method: "POST",
      headers: { "apollo-require-preflight": "true", authorization: `Bearer ${this.token}` },
      body: form,
    });
    const body = (await response.json()) as { data?: { uploadFile: { id: string } }; errors?: { message: string }[] };
    if (!body.data) throw new Error(`upload of ${filename} failed: ${body.errors?.map((error) => error.message).join("; ")}`);
    const id = body.data.uploadFile.id;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { upload } = await this.request<{ upload: { status: string; error: string | null } }>("query($id: ID!) { upload(id: $id) { status error } }", { id });
      if (upload.status === "READY") return id;
      if (upload.status === "FAILED") throw new Error(`ingestion of ${filename} failed: ${upload.error}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`ingestion of ${filename} did not finish in ${timeoutMs} ms`);
  }
}

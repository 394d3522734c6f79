import { Field, ObjectType } from "type-graphql";
import type { SignInProvider as Provider } from "./oidc.service";

@ObjectType({ description: "An OpenID Connect provider users may sign in with." })
export class SignInProvider implements Provider {
  @Field({ description: "Its id in the API's URLs." })
  id!: string;

  @Field({ description: 'What to show ("Sign in with <name>").' })
  name!: string;

  @Field({
    description:
      "Path on this API to open in the browser, with `?redirect_to=<your page>` (an allowed URL): it comes back there with `sign_in_code` for `signInWithCode`, or `error` and `error_description`.",
  })
  startPath!: string;
}

@ObjectType({ description: "What a login page should offer." })
export class SignInOptions {
  @Field({ description: "Whether e-mail and password sign-in and sign-up are on (admins switch it with `setPasswordSignIn`)." })
  password!: boolean;

  @Field(() => [SignInProvider], { description: "The configured providers, in configuration order." })
  providers!: SignInProvider[];
}

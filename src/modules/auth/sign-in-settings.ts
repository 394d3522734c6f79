import { getModelForClass, modelOptions, prop } from "@typegoose/typegoose";

/** Sign-in switches admins change at run time; one document, read at each password sign-in. */
@modelOptions({ schemaOptions: { collection: "auth_settings", timestamps: { createdAt: false, updatedAt: "updated_at" } } })
class AuthSettings {
  @prop({ required: true })
  _id!: string;

  @prop({ required: true, default: true })
  password_sign_in!: boolean;
}

const AuthSettingsModel = getModelForClass(AuthSettings);
const ID = "sign-in";

/** Whether e-mail and password sign-in (and sign-up) is on; every instance reads the same document. */
export class SignInSettings {
  async passwordSignIn(): Promise<boolean> {
    const settings = await AuthSettingsModel.findById(ID).lean<AuthSettings>().exec();
    return settings?.password_sign_in ?? true;
  }

  async setPasswordSignIn(enabled: boolean): Promise<void> {
    await AuthSettingsModel.updateOne({ _id: ID }, { $set: { password_sign_in: enabled } }, { upsert: true }).exec();
  }
}

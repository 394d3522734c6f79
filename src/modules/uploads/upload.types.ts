import { ObjectType } from "type-graphql";
import { PageOf } from "../../lib/pagination";
import { UploadedFile } from "./upload.model";

@ObjectType({ description: "One page of your uploads, newest first." })
export class UploadPage extends PageOf(UploadedFile) {}

export { projectName, readStackText, stackFilePath } from "./file";
export { readManifestTags } from "./manifestTags";
export { IMAGE_TAG_PATTERN, setImageTags, type TagChange, type TagEdit, type TagUpdate } from "./tags";
export { type EnvChange, type EnvEdit, type EnvUpdate, setEnvValues } from "./env";

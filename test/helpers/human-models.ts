// TF.js graph models that @vladmandic/human ships (MoveNet, handtrack, emotion, antispoof, blazeface, …): model.json
// and its shards from node_modules, as a test or bench would fetch them.
import type { TfjsModel } from '../../src/index';
import { readRepoFile } from './files';

const HUMAN_DIR = 'node_modules/@vladmandic/human/models';

export async function loadHumanModel(name: string): Promise<TfjsModel> {
  const modelJson = JSON.parse(new TextDecoder().decode(await readRepoFile(`${HUMAN_DIR}/${name}.json`)));
  const shards: Record<string, Uint8Array> = {};
  for (const group of modelJson.weightsManifest) for (const path of group.paths) shards[path] = await readRepoFile(`${HUMAN_DIR}/${path}`);
  return { modelJson, shards };
}

/** The import pipeline: starting an import, applying its chunks exactly once, ending it, reporting. */
export { MAX_BATCH_CHUNKS, type SentChunk, sendChunk, sendChunks } from "./batch";
export { applyChunk, type ChunkResult, type ChunkRow, chunkAnswer } from "./chunk";
export { failImport, finishImport } from "./finish";
export { importReport } from "./report";
export {
  getImport,
  type ImportResource,
  type ImportRow,
  type ImportSource,
  importResource,
  type StartImport,
} from "./resource";
export { startImport } from "./start";

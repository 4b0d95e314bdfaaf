// The recording library's public face: what the HTTP API, the CLI and the dialer call.
export { importRecording, type ImportOptions } from './import.ts';
export {
  deleteRecording,
  listRecordings,
  loadOrImportPrompt,
  readRecording,
  sweepStaging,
  type RecordingMeta,
} from './library.ts';
export { SUPPORTED_FORMATS_TEXT } from './probe.ts';
export { LOUDNESS_TARGET, MAX_PROMPT_MS } from './transcode.ts';
export { DEFAULT_TTS_RATE, previewTts, synthesize, ttsKey, type PreviewOptions, type TtsOptions } from './tts.ts';
export { localeForVoice, renderTemplate, templateTokens, unknownTokens, type FieldValue, type Fields, type RenderOptions } from './template.ts';
export { prerender, PromptRenderer, type PrerenderReport, type RenderItem } from './renderer.ts';

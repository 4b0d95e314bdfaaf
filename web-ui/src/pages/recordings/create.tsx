// Three ways to add a recording: upload a file (progress bar), record with the microphone
// (MediaRecorder, sent as WebM/Ogg), or text-to-speech with a preview before creating it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, apiBlob, ApiError, asApiError, upload } from '../../api.ts';
import { Button, Card, Field, Link, Notice, ProgressBar } from '../../components/index.ts';
import { formatDuration, getLang } from '../../i18n.ts';
import { VOICES, voiceLabel } from '../../names.ts';
import { t } from './messages.ts';
import type { Recording } from './types.ts';

function useObjectUrl(blob: Blob | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) {
      setUrl(null);
      return;
    }
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [blob]);
  return url;
}

async function sendAudio(name: string, fileName: string, blob: Blob, onProgress: (f: number) => void): Promise<Recording> {
  const q = new URLSearchParams({ name, filename: fileName });
  return upload<Recording>(`/api/recordings?${q}`, blob, onProgress);
}

export function UploadCard({ onAdded }: { onAdded: (r: Recording) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [local, setLocal] = useState<{ file?: string; name?: string }>({});
  const [key, setKey] = useState(0);

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    const missing = { file: file ? undefined : t('needFile'), name: name.trim() ? undefined : t('needName') };
    setLocal(missing);
    if (!file || missing.name) return;
    setError(null);
    setProgress(0);
    try {
      const r = await sendAudio(name.trim(), file.name, file, setProgress);
      onAdded(r);
      setFile(null);
      setName('');
      setKey((k) => k + 1);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setProgress(null);
    }
  }

  return (
    <Card title={t('uploadTitle')} testId="upload-recording">
      {error && <Notice kind="error">{error.message}</Notice>}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t('file')} error={local.file}>
          <input key={key} type="file" accept="audio/*,.wav,.mp3,.ogg,.opus,.m4a,.aac,.flac,.webm" onChange={(e) => {
            const f = e.currentTarget.files?.[0] ?? null;
            setFile(f);
            if (f && !name) setName(f.name.replace(/\.[^.]+$/, '').slice(0, 100));
          }} />
        </Field>
        <Field label={t('name')} error={local.name ?? error?.field('name')}>
          <input value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        {progress !== null && <ProgressBar label={t('uploading')} value={progress < 1 ? progress : undefined} text={progress < 1 ? undefined : t('processing')} />}
        <Button type="submit" variant="primary" busy={progress !== null}>{t('upload')}</Button>
      </form>
    </Card>
  );
}

export function RecordCard({ onAdded }: { onAdded: (r: Recording) => void }) {
  const [state, setState] = useState<'idle' | 'recording' | 'done'>('idle');
  const [take, setTake] = useState<Blob | null>(null);
  const [seconds, setSeconds] = useState(0);
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [nameError, setNameError] = useState<string | undefined>(undefined);
  const rec = useRef<MediaRecorder | null>(null);
  const url = useObjectUrl(take);
  const supported = typeof MediaRecorder !== 'undefined' && Boolean(navigator.mediaDevices?.getUserMedia);

  useEffect(() => {
    if (state !== 'recording') return;
    const started = Date.now();
    const timer = setInterval(() => setSeconds((Date.now() - started) / 1000), 250);
    return () => clearInterval(timer);
  }, [state]);
  useEffect(() => () => {
    for (const tr of rec.current?.stream.getTracks() ?? []) tr.stop();
  }, []);

  async function start(): Promise<void> {
    setProblem(null);
    setError(null);
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: true } });
    } catch (e) {
      setProblem(t('micDenied', { reason: e instanceof Error ? e.message : String(e) }));
      return;
    }
    const mime = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm'].find((m) => MediaRecorder.isTypeSupported(m));
    const r = new MediaRecorder(stream, mime ? { mimeType: mime } : undefined);
    const chunks: Blob[] = [];
    r.ondataavailable = (ev) => chunks.push(ev.data);
    r.onstop = () => {
      for (const tr of stream.getTracks()) tr.stop();
      setTake(new Blob(chunks, { type: r.mimeType || 'audio/webm' }));
      setState('done');
    };
    rec.current = r;
    r.start(1000);
    setSeconds(0);
    setState('recording');
  }

  async function save(): Promise<void> {
    if (!take) return;
    if (!name.trim()) {
      setNameError(t('needName'));
      return;
    }
    setNameError(undefined);
    setError(null);
    setProgress(0);
    try {
      const ext = take.type.includes('ogg') ? 'ogg' : 'webm';
      const r = await sendAudio(name.trim(), `microphone.${ext}`, take, setProgress);
      onAdded(r);
      setTake(null);
      setName('');
      setState('idle');
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setProgress(null);
    }
  }

  return (
    <Card title={t('recordTitle')} testId="record-recording">
      {!supported && <Notice kind="info">{t('micUnavailable')}</Notice>}
      {problem && <Notice kind="error">{problem}</Notice>}
      {error && <Notice kind="error">{error.message}</Notice>}
      {state === 'idle' && <Button variant="primary" disabled={!supported} onClick={() => void start()}>{t('recordStart')}</Button>}
      {state === 'recording' && (
        <div class="actions">
          <span role="status" class="badge badge--bad">{t('recording', { time: formatDuration(seconds) })}</span>
          <Button variant="danger" onClick={() => rec.current?.stop()}>{t('recordStop')}</Button>
        </div>
      )}
      {state === 'done' && url && (
        <>
          <p><audio controls src={url} aria-label={t('yourTake')} /></p>
          <Field label={t('name')} error={nameError ?? error?.field('name')}>
            <input value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          {progress !== null && <ProgressBar label={t('uploading')} value={progress < 1 ? progress : undefined} text={progress < 1 ? undefined : t('processing')} />}
          <div class="actions">
            <Button variant="primary" busy={progress !== null} onClick={() => void save()}>{t('recordSave')}</Button>
            <Button onClick={() => { setTake(null); setState('idle'); }}>{t('recordAgain')}</Button>
          </div>
        </>
      )}
    </Card>
  );
}

/** {tokens} in the text: a recording cannot hold them (the box refuses them too). */
function tokensIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\{([A-Za-z][A-Za-z0-9_]{0,63})\}/g)].map((m) => `{${m[1]}}`))];
}

export function TtsCard({ onAdded }: { onAdded: (r: Recording) => void }) {
  const [text, setText] = useState('');
  const [voice, setVoice] = useState<string>(getLang() === 'fr' ? 'fr' : 'en');
  const [rate, setRate] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState<'preview' | 'create' | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [local, setLocal] = useState<string | undefined>(undefined);
  const [preview, setPreview] = useState<Blob | null>(null);
  const url = useObjectUrl(preview);

  const tokens = tokensIn(text);
  function body(): Record<string, unknown> | null {
    if (!text.trim()) {
      setLocal(t('needText'));
      return null;
    }
    if (tokens.length > 0) {
      setLocal(t('tokensRefused', { tokens: tokens.join(', ') }));
      return null;
    }
    setLocal(undefined);
    const b: Record<string, unknown> = { text: text.trim(), voice };
    const r = Number(rate);
    if (rate.trim() !== '') b.rate = Number.isFinite(r) ? Math.round(r) : rate;
    return b;
  }

  async function listen(): Promise<void> {
    const b = body();
    if (!b) return;
    setBusy('preview');
    setError(null);
    try {
      setPreview(await apiBlob('POST', '/api/recordings/tts/preview', b));
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(null);
    }
  }

  async function create(e: Event): Promise<void> {
    e.preventDefault();
    const b = body();
    if (!b) return;
    if (name.trim()) b.name = name.trim();
    setBusy('create');
    setError(null);
    try {
      onAdded(await api<Recording>('POST', '/api/recordings/tts', b));
      setText('');
      setName('');
      setPreview(null);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Card title={t('ttsTitle')} testId="tts-recording">
      {error && <Notice kind="error">{error.message}</Notice>}
      <form onSubmit={(e) => void create(e)} noValidate>
        <Field label={t('text')} hint={t('textHint')} error={local ?? error?.field('text')}>
          <textarea rows={4} maxLength={5000} value={text} onInput={(e) => { setText(e.currentTarget.value); setLocal(undefined); }} />
        </Field>
        {tokens.length > 0 && (
          <Notice kind="warning" testId="tts-tokens">
            <p>{t('tokensRefused', { tokens: tokens.join(', ') })}</p>
            <p><Link href="/campaigns/new">{t('tokensLink')}</Link></p>
          </Notice>
        )}
        <div class="form-row">
          <Field label={t('voice')} error={error?.field('voice')}>
            <select value={voice} onChange={(e) => setVoice(e.currentTarget.value)}>
              {VOICES.map((v) => <option key={v} value={v}>{voiceLabel(v)}</option>)}
            </select>
          </Field>
          <Field label={t('rate')} hint={t('rateHint')} error={error?.field('rate')}>
            <input type="number" inputMode="numeric" min={80} max={400} step={10} value={rate} onInput={(e) => setRate(e.currentTarget.value)} />
          </Field>
          <Field label={t('name')} error={error?.field('name')}>
            <input value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
        </div>
        {url && <p><audio controls autoPlay src={url} aria-label={t('previewAudio')} data-testid="tts-preview" /></p>}
        <div class="actions">
          <Button busy={busy === 'preview'} disabled={busy !== null} onClick={() => void listen()}>{t('preview')}</Button>
          <Button type="submit" variant="primary" busy={busy === 'create'} disabled={busy !== null}>{t('create')}</Button>
        </div>
      </form>
    </Card>
  );
}

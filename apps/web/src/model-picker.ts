/**
 * The model choice: a bundled model, a local folder / files picked or dropped, or a Hugging Face
 * Hub id whose files are downloaded. Local picks are
 * recognised (and their headers read) as soon as they are made, so an invalid file is reported at
 * once, naming the file, and not after the user presses Run.
 */
import { type BundledModelId, bundledModel } from './bundled-assets.js';
import { fetchHubModelInput } from './hub-model.js';
import { classifyModelFiles, filesByPath, folderName, type ModelInput } from './model-input.js';
import { attachDropZone } from './ui/drop-zone.js';

export interface ModelPickerEvents {
  /** A local pick to check (recognise, read headers, compare to limits); rejects with the reason. */
  onLocalPick(pick: Promise<ModelInput>): void;
  /** A line on a Hub download under way ("Downloading org/name: model.safetensors, 3.1 of 9.1 MB"). */
  onDownloadProgress?(message: string): void;
}

export class ModelPicker {
  private local: ModelInput | undefined;
  private readonly radios: HTMLInputElement[];
  private readonly localBox: HTMLElement;

  constructor(doc: Document, events: ModelPickerEvents) {
    this.radios = [...doc.querySelectorAll<HTMLInputElement>('input[name="model"]')];
    this.localBox = doc.getElementById('local-model') as HTMLElement;
    const folder = doc.getElementById('model-folder') as HTMLInputElement;
    const files = doc.getElementById('model-files') as HTMLInputElement;
    for (const radio of this.radios)
      radio.addEventListener('change', () => {
        this.localBox.hidden = this.choice() !== 'local';
      });
    const pick = (picked: Promise<ModelInput>) => {
      this.local = undefined;
      events.onLocalPick(
        picked.then((input) => {
          this.local = input;
          return input;
        }),
      );
    };
    folder.addEventListener('change', () => {
      const list = [...(folder.files ?? [])];
      if (list.length > 0)
        pick(Promise.resolve().then(() => classifyModelFiles(filesByPath(list), folderName(list))));
    });
    files.addEventListener('change', () => {
      const list = [...(files.files ?? [])];
      if (list.length > 0)
        pick(
          Promise.resolve().then(() =>
            classifyModelFiles(filesByPath(list), list[0]?.name ?? 'files'),
          ),
        );
    });
    const hubId = doc.getElementById('hub-id') as HTMLInputElement | null;
    const hubToken = doc.getElementById('hub-token') as HTMLInputElement | null;
    const fetchHub = () => {
      const text = hubId?.value.trim() ?? '';
      if (text === '') return;
      const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
      pick(
        fetchHubModelInput(text, {
          endpoint: hubEndpoint(doc),
          token: hubToken?.value ?? '',
          onProgress: (path, done, total) =>
            events.onDownloadProgress?.(
              `Downloading ${text}: ${path}, ${mb(done)} of ${mb(total)} MB`,
            ),
        }),
      );
    };
    doc.getElementById('hub-fetch')?.addEventListener('click', fetchHub);
    hubId?.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      fetchHub();
    });
    attachDropZone(doc.getElementById('drop-zone') as HTMLElement, (dropped) => {
      this.select('local');
      pick(dropped.then((d) => classifyModelFiles(d.files, d.name)));
    });
  }

  /** 'stories260K', 'tinystories-12L' or 'local'. */
  choice(): string {
    return this.radios.find((r) => r.checked)?.value ?? 'stories260K';
  }

  select(value: string): void {
    for (const r of this.radios) r.checked = r.value === value;
    this.localBox.hidden = value !== 'local';
  }

  /** The chosen model's files (bundled ones are fetched now). */
  async current(): Promise<ModelInput> {
    const choice = this.choice();
    if (choice !== 'local') return bundledModel(choice as BundledModelId);
    if (!this.local)
      throw new Error(
        'No local model is picked yet: choose a folder or files, or drop them on the drop area.',
      );
    return this.local;
  }
}

/** The Hub to ask: `?hf-endpoint=URL` in the page's address (a mirror, or a test server), else the Hub. */
function hubEndpoint(doc: Document): string | undefined {
  return (
    new URLSearchParams(doc.defaultView?.location.search ?? '').get('hf-endpoint') ?? undefined
  );
}

import type { mountChat } from './chat.js';
import { CHAT_CSS, WIDGET_CSS } from './styles.js';
import { stringsFor } from './strings.js';
import './widgetPanel.types.js';

type MountChat = typeof mountChat;

/** Where the panel bundle is: next to this script (set when widget.js runs), else under the API host. */
const SCRIPT = document.currentScript as HTMLScriptElement | null;
const PANEL_URL = SCRIPT?.src ? new URL('assets/widget-panel.js', SCRIPT.src).href : null;
let panel: Promise<MountChat> | null = null;

/** Loads the chat panel (marked, DOMPurify, the chat UI) once, on first open. */
function loadPanel(apiBase: string): Promise<MountChat> {
  if (window.__yijuWidgetPanel) return Promise.resolve(window.__yijuWidgetPanel.mountChat);
  return (panel ??= new Promise<MountChat>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = PANEL_URL ?? `${apiBase.replace(/\/+$/u, '')}/assets/widget-panel.js`;
    script.async = true;
    script.onload = () => (window.__yijuWidgetPanel ? resolve(window.__yijuWidgetPanel.mountChat) : reject(new Error('the panel did not load')));
    script.onerror = () => reject(new Error('the panel did not load'));
    document.head.append(script);
  }).catch((err: unknown) => {
    panel = null; // let a later open try again
    throw err;
  }));
}

/**
 * <yiju-widget>: a launcher button and a chat panel in a shadow root, so the
 * host page's CSS cannot reach in and the widget's cannot leak out. Options are
 * data-* attributes (copied from the <script> tag that loads widget.js).
 */
class YijuWidget extends HTMLElement {
  private launcher!: HTMLButtonElement;
  private panel!: HTMLDivElement;
  private chat: ReturnType<MountChat> | null = null;
  private mounting: Promise<void> | null = null;
  private strings!: ReturnType<typeof stringsFor>;

  connectedCallback(): void {
    if (this.shadowRoot) return;
    const d = this.dataset;
    const strings = stringsFor(d.lang);
    const shadow = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = CHAT_CSS + WIDGET_CSS + (d.color && /^#[0-9a-f]{3,8}$|^[a-z]+$/iu.test(d.color) ? `:host, .yj-root { --yj-primary: ${d.color}; }` : '');
    this.launcher = document.createElement('button');
    this.launcher.type = 'button';
    this.launcher.className = 'yj-launcher';
    this.launcher.setAttribute('aria-label', d.title ?? strings.open);
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.setAttribute('aria-controls', 'yj-panel');
    this.launcher.textContent = '依';
    this.panel = document.createElement('div');
    this.panel.className = 'yj-panel';
    this.panel.id = 'yj-panel';
    this.panel.setAttribute('role', 'dialog');
    this.panel.setAttribute('aria-label', d.title ?? strings.title);
    this.panel.hidden = true;
    shadow.append(style, this.launcher, this.panel);
    this.strings = strings;
    this.launcher.addEventListener('click', () => (this.panel.hidden ? this.open() : this.close()));
    this.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.close();
      }
    });
    if (d.open === 'true' || d.open === '') this.open();
  }

  /** Mounts the chat into the panel, loading its code first; a failure is said in words with a retry. */
  private mount(): Promise<void> {
    const d = this.dataset;
    const apiBase = d.api ?? location.origin;
    this.panel.replaceChildren(Object.assign(document.createElement('p'), { className: 'yj-loading', textContent: this.strings.thinking }));
    return (this.mounting ??= loadPanel(apiBase).then(
      (mount) => {
        this.panel.replaceChildren();
        this.chat = mount(this.panel, {
          apiBase,
          apiKey: d.key,
          strings: this.strings,
          title: d.title,
          greeting: d.greeting,
          placeholder: d.placeholder,
          examples: d.examples
            ?.split('|')
            .map((q) => q.trim())
            .filter(Boolean),
          onClose: () => this.close(),
        });
      },
      () => {
        this.mounting = null;
        const retry = Object.assign(document.createElement('button'), { type: 'button', textContent: this.strings.retry });
        retry.addEventListener('click', () => void this.mount().then(() => this.chat?.focus()));
        const close = Object.assign(document.createElement('button'), { type: 'button', textContent: this.strings.close });
        close.addEventListener('click', () => this.close());
        const box = Object.assign(document.createElement('div'), { className: 'yj-root yj-error', role: 'alert' });
        box.append(Object.assign(document.createElement('span'), { textContent: this.strings.network }), retry, close);
        this.panel.replaceChildren(box);
        retry.focus();
      },
    ));
  }

  open(): void {
    this.panel.hidden = false;
    this.launcher.setAttribute('aria-expanded', 'true');
    if (this.chat) this.chat.focus();
    else {
      // Focus waits in the panel while its code loads, then moves to the question box.
      this.panel.tabIndex = -1;
      this.panel.focus();
      void this.mount().then(() => this.chat?.focus());
    }
  }

  close(): void {
    this.panel.hidden = true;
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.focus();
  }
}

if (!customElements.get('yiju-widget')) customElements.define('yiju-widget', YijuWidget);

// <script src=".../widget.js" data-…>: add one widget with the script's options; the API defaults to the script's host.
if (SCRIPT && !SCRIPT.hasAttribute('data-manual')) {
  const script = SCRIPT;
  const el = document.createElement('yiju-widget');
  for (const [k, v] of Object.entries(script.dataset)) if (v !== undefined) el.dataset[k] = v;
  if (!el.dataset.api && script.src) el.dataset.api = new URL(script.src).origin;
  const add = () => document.body.append(el);
  if (document.body) add();
  else document.addEventListener('DOMContentLoaded', add);
}

import { mountChat } from './chat.js';
import { CHAT_CSS, WIDGET_CSS } from './styles.js';
import { stringsFor } from './strings.js';

/**
 * <yiju-widget>: a launcher button and a chat panel in a shadow root, so the
 * host page's CSS cannot reach in and the widget's cannot leak out. Options are
 * data-* attributes (copied from the <script> tag that loads widget.js).
 */
class YijuWidget extends HTMLElement {
  private launcher!: HTMLButtonElement;
  private panel!: HTMLDivElement;
  private chat!: ReturnType<typeof mountChat>;

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
    const apiBase = d.api ?? location.origin;
    this.chat = mountChat(this.panel, {
      apiBase,
      apiKey: d.key,
      strings,
      title: d.title,
      greeting: d.greeting,
      placeholder: d.placeholder,
      examples: d.examples?.split('|').map((q) => q.trim()).filter(Boolean),
      onClose: () => this.close(),
    });
    this.launcher.addEventListener('click', () => (this.panel.hidden ? this.open() : this.close()));
    this.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.close();
      }
    });
    if (d.open === 'true' || d.open === '') this.open();
  }

  open(): void {
    this.panel.hidden = false;
    this.launcher.setAttribute('aria-expanded', 'true');
    this.chat.focus();
  }

  close(): void {
    this.panel.hidden = true;
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.focus();
  }
}

if (!customElements.get('yiju-widget')) customElements.define('yiju-widget', YijuWidget);

// <script src=".../widget.js" data-…>: add one widget with the script's options; the API defaults to the script's host.
const script = document.currentScript as HTMLScriptElement | null;
if (script && !script.hasAttribute('data-manual')) {
  const el = document.createElement('yiju-widget');
  for (const [k, v] of Object.entries(script.dataset)) if (v !== undefined) el.dataset[k] = v;
  if (!el.dataset.api && script.src) el.dataset.api = new URL(script.src).origin;
  const add = () => document.body.append(el);
  if (document.body) add();
  else document.addEventListener('DOMContentLoaded', add);
}

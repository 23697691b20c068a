import { mountChat } from './chat.js';
import { CHAT_CSS } from './styles.js';
import { stringsFor } from './strings.js';

/** The full-page chat (GET /): the same chat as the widget, filling the window. */
const root = document.getElementById('yiju')!;
const style = document.createElement('style');
style.textContent = `${CHAT_CSS} html, body { margin: 0; height: 100%; } #yiju { height: 100vh; height: 100dvh; max-width: 56rem; margin: 0 auto; }`;
document.head.append(style);
const lang = document.documentElement.lang === 'en' ? 'en' : 'zh';
// The server writes the corpus' own title, greeting and placeholder (its domain pack) on the page.
const { title, greeting, placeholder } = root.dataset;
const chat = mountChat(root, { apiBase: location.origin, strings: stringsFor(lang), title, greeting, placeholder, heading: 'h1' });
chat.focus();

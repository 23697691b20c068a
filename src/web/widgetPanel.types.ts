import type { mountChat } from './chat.js';

/** How the lazily loaded panel bundle hands the chat to widget.js. */
declare global {
  interface Window {
    __yijuWidgetPanel?: { mountChat: typeof mountChat };
  }
}
export {};

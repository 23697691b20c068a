/** The chat's CSS, shared by the page and the widget's shadow root. Colours are variables (primary from options). */
export const CHAT_CSS = `
:host, .yj-root { --yj-primary: #b4232a; --yj-link: var(--yj-primary); --yj-bg: #ffffff; --yj-fg: #1c1c1c; --yj-muted: #5f6368; --yj-line: #e2e2e2;
  --yj-bubble: #f4f4f5; --yj-mark: #fff1a8; --yj-radius: 12px; color-scheme: light dark; }
@media (prefers-color-scheme: dark) { :host, .yj-root { --yj-link: color-mix(in srgb, var(--yj-primary) 45%, #fff); --yj-bg: #17181a; --yj-fg: #ececec; --yj-muted: #a0a4a8; --yj-line: #33363a; --yj-bubble: #232528; --yj-mark: #6b5d12; } }
.yj-root { box-sizing: border-box; display: flex; flex-direction: column; height: 100%; min-height: 0; background: var(--yj-bg); color: var(--yj-fg);
  font: 15px/1.6 system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
.yj-root *, .yj-root *::before, .yj-root *::after { box-sizing: inherit; }
.yj-head { display: flex; align-items: center; gap: .5em; padding: .6em .9em; border-bottom: 1px solid var(--yj-line); }
.yj-title { flex: 1; margin: 0; font-size: 1.05em; font-weight: 650; }
button { font: inherit; color: inherit; cursor: pointer; border-radius: 8px; border: 1px solid var(--yj-line); background: transparent; padding: .3em .7em; }
button:focus-visible, a:focus-visible { outline: 3px solid var(--yj-primary); outline-offset: 2px; }
/* The question box is focused most of the time: a neutral border, not a red ring that reads as an error. */
textarea:focus-visible { outline: none; border-color: var(--yj-fg) !important; box-shadow: 0 0 0 1px var(--yj-fg); }
button[disabled] { opacity: .5; cursor: default; }
.yj-log { flex: 1; overflow-y: auto; padding: 1em .9em; display: flex; flex-direction: column; gap: 1em; }
.yj-empty p { margin: 0 0 .6em; color: var(--yj-muted); }
.yj-examples { display: flex; flex-wrap: wrap; gap: .4em; list-style: none; padding: 0; margin: 0; }
.yj-examples button { text-align: left; border-radius: 999px; }
.yj-suggested { margin-top: .6em; }
.yj-empty .yj-mode { font-size: .9em; }
.yj-corpus { margin-top: .8em; font-size: .9em; color: var(--yj-muted); }
.yj-corpus summary { cursor: pointer; }
.yj-corpus ul { margin: .3em 0 0; padding-left: 1.2em; }
.yj-corpus a { color: var(--yj-link); }
.yj-corpus .yj-cite-as { display: block; font-size: .85em; }
.yj-msg { max-width: 100%; }
.yj-user { align-self: flex-end; background: var(--yj-primary); color: #fff; padding: .45em .8em; border-radius: var(--yj-radius); max-width: 85%; white-space: pre-wrap; overflow-wrap: anywhere; }
.yj-bot { align-self: stretch; background: var(--yj-bubble); padding: .7em .9em; border-radius: var(--yj-radius); overflow-wrap: anywhere; }
.yj-body > :first-child { margin-top: 0; } .yj-body > :last-child { margin-bottom: 0; }
.yj-body a { color: var(--yj-link); }
.yj-body blockquote { margin: .6em 0 0; padding-left: .7em; border-left: 3px solid var(--yj-line); color: var(--yj-muted); font-size: .9em; }
/* A chip is small in the line; its hit area reaches 24 × 24 px around it (WCAG 2.5.8) without moving the text. */
.yj-cite { position: relative; }
.yj-cite::after { content: ""; position: absolute; left: 50%; top: 50%; width: max(100%, 24px); height: max(100%, 24px); transform: translate(-50%, -50%); }
.yj-cite { display: inline-block; min-width: 1.5em; padding: 0 .3em; margin: 0 .1em; border: 0; border-radius: 6px; background: var(--yj-primary); color: #fff; font-size: .75em; line-height: 1.5; vertical-align: super; }
.yj-notice { margin: 0 0 .5em; padding: .35em .6em; border-radius: 8px; background: color-mix(in srgb, var(--yj-primary) 12%, transparent); font-size: .9em; }
.yj-stopped { display: flex; gap: .6em; align-items: center; justify-content: space-between; margin: .5em 0 0; }
.yj-sources { margin-top: .6em; font-size: .9em; }
.yj-sources ol { margin: .3em 0 0; padding-left: 1.4em; }
.yj-sources li { margin: .25em 0; }
.yj-sources summary { cursor: pointer; color: var(--yj-muted); }
.yj-sources a { color: var(--yj-link); }
.yj-sources .yj-cite-as, .yj-sources .yj-where { display: block; font-size: .85em; color: var(--yj-muted); }
.yj-actions button { display: inline-flex; align-items: center; justify-content: center; min-width: 2em; min-height: 2em; }
.yj-icon { display: block; }
.yj-actions { display: flex; flex-wrap: wrap; align-items: center; gap: .4em; margin-top: .6em; font-size: .85em; color: var(--yj-muted); }
.yj-badge { margin-right: auto; }
.yj-actions button[aria-pressed="true"], .yj-reason[aria-pressed="true"] { background: var(--yj-primary); color: #fff; border-color: var(--yj-primary); }
.yj-reasons { display: flex; flex-wrap: wrap; align-items: center; gap: .4em; margin-top: .5em; font-size: .85em; }
.yj-reason-text { flex: 1 1 12em; min-height: 2em; font: inherit; color: inherit; background: var(--yj-bg); border: 1px solid var(--yj-line); border-radius: 8px; padding: .25em .5em; }
.yj-cleared { display: flex; gap: .6em; align-items: center; justify-content: space-between; }
.yj-error { margin-top: .5em; padding: .4em .6em; border-radius: 8px; border: 1px solid var(--yj-primary); display: flex; gap: .6em; align-items: center; justify-content: space-between; }
.yj-thinking { color: var(--yj-muted); }
.yj-form { display: flex; gap: .5em; padding: .6em .9em .8em; border-top: 1px solid var(--yj-line); }
.yj-form textarea { flex: 1; resize: none; font: inherit; color: inherit; background: var(--yj-bg); border: 1px solid var(--yj-line); border-radius: 10px; padding: .45em .6em; min-height: 2.6em; max-height: 8em; }
.yj-send { background: var(--yj-primary); color: #fff; border-color: var(--yj-primary); }
.yj-pop { position: fixed; z-index: 10; max-width: min(26em, 90vw); padding: .6em .7em; border-radius: 10px; background: var(--yj-bg); color: var(--yj-fg); border: 1px solid var(--yj-line); box-shadow: 0 6px 24px rgba(0,0,0,.18); font-size: .88em; }
.yj-pop strong { display: block; margin-bottom: .2em; }
.yj-pop a { display: block; margin-top: .3em; color: var(--yj-link); }
.yj-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
[hidden] { display: none !important; }
@media (prefers-reduced-motion: no-preference) { .yj-log { scroll-behavior: smooth; } }
`;

/**
 * The widget's launcher and panel (inside its shadow root). The host element covers the visual viewport (its place
 * and size are set from window.visualViewport by widget.ts) and lets the page's pointer events through; the launcher
 * and panel sit in its corner.
 */
export const WIDGET_CSS = `
:host { all: initial; position: fixed; z-index: 2147483000; left: var(--yj-vx, 0px); top: var(--yj-vy, 0px); width: var(--yj-vw, 100vw);
  height: var(--yj-vh, 100vh); transform-origin: 0 0; pointer-events: none; }
.yj-launcher, .yj-panel { pointer-events: auto; }
.yj-launcher { position: absolute; bottom: 20px; right: 20px; display: flex; align-items: center; justify-content: center; width: 56px; height: 56px;
  border-radius: 50%; border: 0; background: var(--yj-primary); color: #fff; box-shadow: 0 6px 20px rgba(0,0,0,.25); padding: 0; }
:host([data-position="left"]) .yj-launcher { right: auto; left: 20px; }
.yj-panel { position: absolute; bottom: 88px; right: 20px; width: min(400px, calc(100% - 40px)); height: min(620px, calc(100% - 108px)); border-radius: 16px;
  overflow: hidden; box-shadow: 0 12px 40px rgba(0,0,0,.28); border: 1px solid var(--yj-line); background: var(--yj-bg); }
:host([data-position="left"]) .yj-panel { right: auto; left: 20px; }
:host([data-yj-narrow]) .yj-panel { inset: 0; width: 100%; height: 100%; border-radius: 0; border: 0; }
.yj-loading { flex: 1; display: flex; align-items: center; justify-content: center; gap: .6em; margin: 0; color: var(--yj-muted); }
.yj-loading::before { content: ""; width: 1.1em; height: 1.1em; border-radius: 50%; border: 2px solid var(--yj-line); border-top-color: var(--yj-primary); }
.yj-panel-error { margin: 1em .9em; }
@media (prefers-reduced-motion: no-preference) {
  .yj-panel { animation: yj-in .18s ease-out; } @keyframes yj-in { from { opacity: 0; transform: translateY(12px); } }
  .yj-loading::before { animation: yj-spin .8s linear infinite; } @keyframes yj-spin { to { transform: rotate(360deg); } }
}
`;

import { mountChat } from './chat.js';
import './widgetPanel.types.js';

/**
 * The widget's chat panel, loaded by widget.js the first time the panel opens,
 * so host pages pay only for the small launcher until someone asks a question.
 */
window.__yijuWidgetPanel = { mountChat };

import { ConfigError } from '../../config/settings.js';
import type { ChatModel } from '../../core/ports.js';
import { WorkersAiChatModel, type WorkersAiChatBinding } from '../workers/workersAiChatModel.js';
import { OpenAIChatModel } from './openaiChatModel.js';

/** The chat settings both runtimes declare (src/config/common.ts). */
export interface ChatModelSettings {
  chat: 'auto' | 'none' | 'openai' | 'workers-ai';
  openai: { apiKey?: string; baseURL?: string; chatModel?: string; timeoutMs: number; maxRetries: number };
  /** The Workers AI model for `workers-ai` (default: WorkersAiChatModel's). */
  workersAiModel?: string;
}

/**
 * The one chat-model factory of both runtimes: an OpenAI-compatible model
 * when asked for (or, with `auto`, when a key and a model are set), Workers
 * AI through its binding, or null for the offline extractive mode.
 */
export function createChatModel(settings: ChatModelSettings, workersAi?: WorkersAiChatBinding): ChatModel | null {
  const { apiKey, chatModel, baseURL, timeoutMs, maxRetries } = settings.openai;
  if (settings.chat === 'openai' || (settings.chat === 'auto' && apiKey && chatModel)) {
    if (!apiKey || !chatModel) throw new ConfigError('YIJU_CHAT=openai needs OPENAI_API_KEY and YIJU_CHAT_MODEL.');
    return new OpenAIChatModel({ apiKey, model: chatModel, baseURL, timeoutMs, maxRetries });
  }
  if (settings.chat === 'workers-ai') {
    if (!workersAi) throw new ConfigError('YIJU_CHAT=workers-ai needs the AI binding in wrangler.toml');
    return new WorkersAiChatModel(workersAi, { model: settings.workersAiModel });
  }
  return null;
}

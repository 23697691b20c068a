import type { ChatRequestBody } from './openaiChatServer.js';

/**
 * A scripted chat model for the generative path: it answers the township
 * question with the rule, cited to whichever passage number the prompt gave
 * the passage stating it, so the citation verifies.
 */
export const TOWNSHIP_Q = '乡镇多久排查一次矛盾纠纷？';
export const TOWNSHIP_RULE = '乡镇坚持每半月一排查制度';
export const NO_CONTENT = '现有讲话资料中没有相关内容。';

/** The user messages of a chat request, joined. */
export const userContent = (body: ChatRequestBody) =>
  (body.messages ?? [])
    .filter((m) => m.role === 'user')
    .map((m) => String(m.content))
    .join('\n');

/** The number the prompt gives the passage stating the township rule (0 when none does). */
export function ruleNumber(body: ChatRequestBody): number {
  const sources = /<资料>\n([\s\S]*)\n<\/资料>/u.exec(userContent(body))?.[1] ?? '';
  const block = sources.split(/^(?=\[\d+\] 《)/mu).find((b) => b.includes(TOWNSHIP_RULE));
  return Number(/^\[(\d+)\]/u.exec(block ?? '')?.[1] ?? 0);
}

export const ruleReply = (n: number) => `${TOWNSHIP_RULE}[${n}]。`;

/** The model's answer: the rule with its citation, or "no content" when no passage states it. */
export const townshipReply = (body: ChatRequestBody) => {
  const n = ruleNumber(body);
  return n ? ruleReply(n) : NO_CONTENT;
};

import DOMPurify from 'dompurify';
import { marked } from 'marked';

const ALLOWED_TAGS = ['p', 'br', 'ul', 'ol', 'li', 'blockquote', 'strong', 'em', 'b', 'i', 'code', 'pre', 'a', 'h3', 'h4', 'hr', 'del'];

/**
 * Markdown from the model or the corpus as safe DOM: marked renders, DOMPurify
 * keeps a small set of formatting tags, links only to http(s) (opened in a new
 * tab), and nothing else — no attributes that run code, no images, no forms.
 * Citation markers [n] become elements made by `marker` (built with DOM APIs,
 * after sanitising, so they cannot carry injected markup).
 */
export function renderMarkdown(markdown: string, marker: (n: number) => Node | null): DocumentFragment {
  const html = marked.parse(markdown, { async: false, gfm: true }) as string;
  const fragment = DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ['href'],
    ALLOWED_URI_REGEXP: /^https?:\/\//iu,
    RETURN_DOM_FRAGMENT: true,
  });
  for (const a of fragment.querySelectorAll('a')) {
    a.setAttribute('target', '_blank');
    a.setAttribute('rel', 'noopener noreferrer nofollow');
  }
  replaceMarkers(fragment, marker);
  return fragment;
}

function replaceMarkers(root: Node, marker: (n: number) => Node | null): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (/\[\d+\]/u.test(n.nodeValue ?? '')) texts.push(n as Text);
  for (const text of texts) {
    const parts = (text.nodeValue ?? '').split(/(\[\d+\])/u);
    const out = document.createDocumentFragment();
    for (const part of parts) {
      const m = /^\[(\d+)\]$/u.exec(part);
      const node = m ? marker(Number(m[1])) : null;
      out.append(node ?? document.createTextNode(part));
    }
    text.replaceWith(out);
  }
}

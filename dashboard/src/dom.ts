// A minimal element builder: text is always set as text, never parsed as HTML (event fields come
// from visitors' browsers).

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

export function text(node: Element, value: string): void {
  node.textContent = value;
}

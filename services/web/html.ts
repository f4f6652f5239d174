// HTML by tagged template: every interpolated value is escaped unless it is already Html.
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false || part === true) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/** JSON for a `<script type="application/json">` block: `<` cannot close the element. */
export function jsonBlock(id: string, data: unknown): Html {
  const text = JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return new Html(`<script type="application/json" id="${escapeHtml(id)}">${text}</script>`);
}

/**
 * A button that asks before doing what cannot be undone, without script: the button opens a popover (the
 * browser's own, declared in HTML) saying what will happen, with the button that does it and one that cancels.
 * A browser without popovers (Safari before 17, Firefox before 125) shows the note and its buttons in place: the
 * warning is in view, but the confirming button is then the only step.
 */
export function confirmStep(opts: { id: string; label: string; warning: string; action: string; confirm: string; cancel: string; fields: Html }): Html {
  return html`<span class="confirm"><button type="button" class="danger" popovertarget="${opts.id}">${opts.label}</button><div popover id="${opts.id}" class="confirm-box" role="alertdialog" aria-label="${opts.label}"><p>${opts.warning}</p><form method="post" action="${opts.action}" class="row">${opts.fields}<button class="danger">${opts.confirm}</button><button type="button" class="secondary" popovertarget="${opts.id}" popovertargetaction="hide" data-cancel>${opts.cancel}</button></form></div></span>`;
}

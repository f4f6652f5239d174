// The share page's copy button: the ready text to the clipboard, and a count of it (no one's identity) sent back.
// Without this script the page still works: the text can be selected and the WhatsApp button needs no script.
const button = document.querySelector<HTMLButtonElement>('[data-copy]');
const text = document.querySelector<HTMLElement>('[data-share-text]');
const copied = document.querySelector<HTMLElement>('[data-copied]');

async function copy(value: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(value);
    return true;
  } catch {
    // Older phone browsers, or a page not served over HTTPS: the text is selected, for the phone's own "Copy".
    if (text) {
      const range = document.createRange();
      range.selectNodeContents(text);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
    }
    return false;
  }
}

button?.addEventListener('click', () => {
  void copy(text?.textContent ?? '').then((ok) => {
    if (!ok) return;
    if (copied) copied.hidden = false;
    navigator.sendBeacon(button.dataset.copy ?? '');
  });
});

// Drag a scheduled post to another day: same time of day, in the post's own unit zone.
const data = JSON.parse(document.getElementById('page-data')!.textContent) as { csrf: string; lang: 'id' | 'en' };
let dragged: HTMLElement | null = null;

for (const item of document.querySelectorAll<HTMLElement>('.cal .item[draggable=true]')) {
  item.addEventListener('dragstart', (e) => {
    dragged = item;
    e.dataTransfer?.setData('text/plain', item.dataset.id ?? '');
  });
}
for (const day of document.querySelectorAll<HTMLElement>('.cal .day')) {
  day.addEventListener('dragover', (e) => {
    e.preventDefault();
    day.classList.add('drop');
  });
  day.addEventListener('dragleave', () => day.classList.remove('drop'));
  day.addEventListener('drop', (e) => {
    e.preventDefault();
    day.classList.remove('drop');
    if (!dragged) return;
    const id = dragged.dataset.id!;
    const at = `${day.dataset.date!}T${dragged.dataset.time!}`;
    void fetch(`/api/v1/posts/${id}/reschedule`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': data.csrf, 'accept-language': data.lang },
      body: JSON.stringify({ scheduledAt: at }),
    }).then(async (res) => {
      if (res.ok) location.reload();
      else window.alert(((await res.json()) as { error?: { message?: string } }).error?.message ?? String(res.status));
    });
  });
}
// A click (or tap) on a post opens its card instead of leaving the calendar, where the browser has popovers.
for (const item of document.querySelectorAll<HTMLAnchorElement>('.cal .item')) {
  const card = document.getElementById(`pop-${item.dataset.id ?? ''}`);
  if (!card || typeof card.showPopover !== 'function') continue;
  item.addEventListener('click', (e) => {
    e.preventDefault();
    card.showPopover();
  });
}
document.body.dataset.ready = 'true';

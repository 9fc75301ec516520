/** Hands a text file to the browser as a download, from inside the sidebar's sandboxed frame. */

export function downloadTextFile(fileName: string, text: string, type = "text/csv;charset=utf-8"): void {
  const link = document.createElement("a");
  link.download = fileName;
  link.hidden = true;
  let objectUrl: string | null = null;
  try {
    objectUrl = URL.createObjectURL(new Blob([text], { type }));
    link.href = objectUrl;
  } catch {
    // Some sandboxes refuse blob: URLs; a data: URL carries the same text.
    link.href = `data:${type},${encodeURIComponent(text)}`;
  }
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the URL may go once the browser has read it.
  if (objectUrl) setTimeout(() => URL.revokeObjectURL(objectUrl as string), 10_000);
}

// The one importer of the QR code library: a text as an SVG QR code, for a phone's camera to read (the
// two-step verification key). No script and no style attribute, so it passes the pages' CSP as it is.
import QRCode from 'qrcode';
import { Html } from './html';

export async function qrCodeSvg(text: string, label: string): Promise<Html> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
  // The library writes a bare <svg>: named for screen readers, and sized by the stylesheet.
  return new Html(svg.replace('<svg ', `<svg class="qr" role="img" aria-label="${label.replace(/[&<>"']/g, '')}" `));
}

import { renderSVG } from 'uqr';
import { manualEntryKey, totpKeyURI } from './totp';

/** What the set-up page shows for a key: the QR code an app scans, and the same key to type. */
export interface TOTPSetupView {
	/** An inline SVG of the key URI, rendered here: no request to a QR service ever sees the key. */
	qrSVG: string;
	/** Base32 in groups of four, for typing into an app (or `oathtool --totp -b`). */
	manualKey: string;
	/** The `otpauth://` URI itself, for a link on a phone (the app opens it). */
	uri: string;
}

export function totpSetupView(key: Uint8Array, issuerName: string, accountEmail: string): TOTPSetupView {
	const uri = totpKeyURI(issuerName, accountEmail, key);
	return { qrSVG: renderSVG(uri, { border: 2 }), manualKey: manualEntryKey(key), uri };
}

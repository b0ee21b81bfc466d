import { describe, expect, it } from 'vitest';
import { addImageSources, allowImagesFrom } from './content-security-policy';

const POLICY = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; script-src 'self' 'sha256-abc'; img-src 'self'";

describe("a page that shows a client's logo allows exactly that origin for images", () => {
	it("adds the logo's origin to img-src and changes nothing else (scripts stay 'self')", () => {
		const policy = addImageSources(POLICY, ['https://wiki.example.com']);
		expect(policy).toBe("frame-ancestors 'none'; object-src 'none'; base-uri 'self'; script-src 'self' 'sha256-abc'; img-src 'self' https://wiki.example.com");
	});

	it('no logo: the policy is untouched', () => {
		expect(addImageSources(POLICY, [])).toBe(POLICY);
	});

	it('an origin, never a path or anything that could end the directive', () => {
		expect(addImageSources(POLICY, ['https://a.example/logo.svg?x=1;script-src *', 'javascript:alert(1)', 'data:image/png,x', 'not a url'])).toBe(
			POLICY.replace("img-src 'self'", "img-src 'self' https://a.example")
		);
	});

	it('allowImagesFrom collects the origins a page needs', () => {
		const locals = {} as App.Locals;
		allowImagesFrom(locals, 'http://127.0.0.1:3002/logo.svg');
		allowImagesFrom(locals, null);
		expect(locals.imageOrigins).toEqual(['http://127.0.0.1:3002']);
	});
});

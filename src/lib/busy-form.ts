import { enhance } from '$app/forms';
import type { SubmitFunction } from '@sveltejs/kit';
import type { Action } from 'svelte/action';

export interface BusyFormOptions {
	/**
	 * Submit with SvelteKit's `enhance` (fetch, no full reload). `true` for its default
	 * behaviour, or a submit function as `use:enhance` takes. Without it the form submits as
	 * a normal navigation (for forms that must leave the page, e.g. consent to a client's
	 * redirect_uri), still marked busy and submitted once.
	 */
	enhance?: true | SubmitFunction;
}

/**
 * A form that shows it is working and submits once. While a submission is in flight the
 * button used says what is happening (its `data-busy-label`, e.g. "Signing in…"), carries
 * `aria-busy="true"` and is disabled, a polite live region announces the same words, and any
 * further submit (a double click, Enter pressed twice) is ignored. Without JavaScript the
 * form submits as usual; the server copes with repeats on its own (auth/sign-in-submission.ts).
 *
 *     <form method="POST" use:busyForm={{ enhance: true }}>
 *       <button data-busy-label="Signing in…">Sign in</button>
 */
export const busyForm: Action<HTMLFormElement, BusyFormOptions | undefined> = (form, options) => {
	let busy: { button: HTMLButtonElement | null; children: Node[] } | null = null;
	// A polite live region, present before anything is said in it so screen readers announce
	// the change. No role=status: the page's own status messages stay the only "status".
	const status = document.createElement('span');
	status.className = 'visually-hidden';
	status.setAttribute('aria-live', 'polite');
	status.setAttribute('aria-atomic', 'true');
	form.append(status);

	function start(submitter: HTMLElement | null): void {
		const button = submitter instanceof HTMLButtonElement ? submitter : form.querySelector<HTMLButtonElement>('button:not([type="button"])');
		const label = button?.dataset.busyLabel ?? 'Working…';
		busy = { button, children: button ? [...button.childNodes] : [] };
		form.setAttribute('aria-busy', 'true');
		status.textContent = label;
		if (!button) return;
		button.setAttribute('aria-busy', 'true');
		// The same nodes go back afterwards, so the component that rendered them keeps them.
		button.replaceChildren(document.createTextNode(label));
		// Disabled after the browser has read the form: a button disabled during the submit
		// event would drop its own name=value (consent's decision) from the submission.
		setTimeout(() => {
			if (busy?.button === button) button.disabled = true;
		});
	}

	function stop(): void {
		if (!busy) return;
		const { button, children } = busy;
		busy = null;
		form.removeAttribute('aria-busy');
		status.textContent = '';
		if (!button) return;
		button.disabled = false;
		button.removeAttribute('aria-busy');
		button.replaceChildren(...children);
	}

	// Back from the back/forward cache: the page left while busy; its form is usable again.
	const onPageShow = (event: PageTransitionEvent) => {
		if (event.persisted) stop();
	};
	window.addEventListener('pageshow', onPageShow);

	const onSubmit = (event: SubmitEvent) => {
		if (busy) event.preventDefault();
		else if (!event.defaultPrevented) start(event.submitter);
	};

	let enhanced: { destroy(): void } | undefined;
	if (options?.enhance) {
		const submit = options.enhance === true ? undefined : options.enhance;
		enhanced = enhance(form, async (input) => {
			if (busy) return input.cancel();
			start(input.submitter);
			// A submit function that cancels leaves no result to wait for.
			const cancel = () => {
				stop();
				input.cancel();
			};
			let after: Awaited<ReturnType<SubmitFunction>>;
			try {
				after = await submit?.({ ...input, cancel });
			} catch (error) {
				stop();
				throw error;
			}
			return async (result) => {
				try {
					if (typeof after === 'function') await after(result);
					else await result.update();
				} finally {
					stop();
				}
			};
		});
	} else {
		form.addEventListener('submit', onSubmit);
	}

	return {
		destroy() {
			enhanced?.destroy();
			form.removeEventListener('submit', onSubmit);
			window.removeEventListener('pageshow', onPageShow);
			status.remove();
		}
	};
};

// The API-token prompt: a modal dialog opened when the API answers 401; the token goes to sessionStorage
// through the caller, never into the page or a URL.

/**
 * @param {{ dialog: HTMLDialogElement, form: HTMLFormElement, input: HTMLInputElement, cancel: HTMLButtonElement }} els
 * @param {{ onToken: (token: string) => void, onDismiss: () => void }} handlers
 */
export function createTokenDialog(els, handlers) {
  els.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = els.input.value.trim();
    if (token === '') {
      els.input.focus();
      return;
    }
    els.input.value = '';
    els.dialog.close();
    handlers.onToken(token);
  });
  els.cancel.addEventListener('click', () => {
    els.input.value = '';
    els.dialog.close();
    handlers.onDismiss();
  });
  // Escape closes a modal dialog natively ("cancel" event): treat it like the Cancel button.
  els.dialog.addEventListener('cancel', () => {
    els.input.value = '';
    handlers.onDismiss();
  });
  return {
    /** Opens the prompt unless it is already open; focus goes to the input (showModal does it). */
    open() {
      if (!els.dialog.open) els.dialog.showModal();
    },
    isOpen: () => els.dialog.open,
  };
}

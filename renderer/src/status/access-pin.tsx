/**
 * A gate served beyond loopback (a supervisor's tablet, a kiosk box) refuses its API without the
 * staff PIN. This screen asks for it once per browser tab; the gate checks it, never the page.
 */
import { errorSentence } from '../../../shared/messages.js';
import { useGate } from '../gate-context.js';
import { PinForm } from '../settings/pin-form.js';

export function AccessPin() {
  const { client } = useGate();
  return (
    <PinForm
      title="This gate needs the staff PIN"
      inputId="access-pin-input"
      formTestId="access-pin"
      verify={async (pin) => {
        // One check per PIN typed: a wrong one is never kept, so it counts once toward the lock.
        const answer = await client.tryAccessPin?.(pin);
        if (!answer || answer.ok) return null;
        return answer.error.code === 'unauthorized' ? 'Wrong PIN' : errorSentence(answer.error.message);
      }}
      onUnlock={() => location.reload()}
    >
      <p>The gate is shared on the network, so its screen is locked until a staff PIN is entered.</p>
    </PinForm>
  );
}

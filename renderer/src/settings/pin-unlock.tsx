/** Asks for the staff PIN before a protected screen opens; checked by the gate, never here. */
import { errorSentence } from '../../../shared/messages.js';
import { useGate } from '../gate-context.js';
import { PinForm } from './pin-form.js';

export function PinUnlock({ what, onUnlock }: { what: string; onUnlock(pin: string): void }) {
  const { client } = useGate();
  return (
    <PinForm
      title={`${what} needs the staff PIN`}
      inputId="unlock-pin"
      inputTestId="unlock-pin"
      verify={async (pin) => {
        const answer = await client.api.checkPin({ pin });
        if (answer.ok) return answer.value.isValid ? null : 'Wrong PIN';
        return errorSentence(answer.error.message);
      }}
      onUnlock={onUnlock}
    />
  );
}

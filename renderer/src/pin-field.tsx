/** A PIN input shown only when the gate has a staff PIN (and it was not entered in the unlock period). */
export function PinField({
  value,
  onChange,
  id,
  isAutoFocus = false,
}: {
  value: string;
  onChange(next: string): void;
  id: string;
  isAutoFocus?: boolean;
}) {
  return (
    <label className="field" htmlFor={id}>
      <span className="field-label">Staff PIN</span>
      <input
        id={id}
        type="password"
        inputMode="numeric"
        autoComplete="off"
        autoFocus={isAutoFocus}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
    </label>
  );
}

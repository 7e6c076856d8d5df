/** A PIN input shown only when the gate has a staff PIN. */
export function PinField({
  value,
  onChange,
  id,
}: {
  value: string;
  onChange(next: string): void;
  id: string;
}) {
  return (
    <label className="field" htmlFor={id}>
      <span className="field-label">Staff PIN</span>
      <input
        id={id}
        type="password"
        inputMode="numeric"
        autoComplete="off"
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
    </label>
  );
}

/**
 * Settings → Support: "Export diagnostics" saves the gate's status, settings (never the token or the
 * PIN) and newest logs as one file to hand to support; "Open logs folder" (Electron only) shows the
 * log files themselves.
 */
import { useState } from 'react';
import { useGate } from '../gate-context.js';

/** Saves `text` as a download named `fileName` (the browser or Electron asks where). */
function saveFile(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once started; the object URL is not needed after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function SupportSection({ pin }: { pin: string | undefined }) {
  const { client } = useGate();
  const [notice, setNotice] = useState<string | null>(null);
  const openLogsFolder = client.shell?.openLogsFolder;

  const exportDiagnostics = async () => {
    setNotice('Collecting…');
    const answer = await client.api.diagnostics({ pin });
    if (!answer.ok) return setNotice(`✖ ${answer.error.message}`);
    saveFile(answer.value.fileName, answer.value.text);
    setNotice(`✔ Saved ${answer.value.fileName}`);
  };

  return (
    <fieldset className="section">
      <legend>Support</legend>
      <div className="actions">
        <button type="button" data-testid="export-diagnostics" onClick={() => void exportDiagnostics()}>
          Export diagnostics
        </button>
        {openLogsFolder ? (
          <button
            type="button"
            data-testid="open-logs"
            onClick={() =>
              void openLogsFolder().then((answer) => setNotice(answer.ok ? null : `✖ ${answer.message}`))
            }
          >
            Open logs folder
          </button>
        ) : null}
        {notice ? (
          <span role="status" data-testid="support-notice">
            {notice}
          </span>
        ) : null}
      </div>
    </fieldset>
  );
}

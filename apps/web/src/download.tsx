import { type ReportMethodName, reportDescriptors } from "@convolens/client";
import { useContext, useState } from "react";
import { ReportsContext } from "./api.ts";

/** The report behind a card and the input it was asked with, so the card can offer the same numbers as a file. */
export interface CsvSource {
	readonly method: ReportMethodName;
	readonly input: object;
}

/** `Total Ratings` → `total-ratings.csv`, the name the server gives the same file. */
const fileNameOf = (reportName: string) =>
	`${reportName
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, "-")
		.replace(/^-+|-+$/g, "")}.csv`;

/** Hands `text` to the browser as a downloaded file. */
const saveFile = (text: string, fileName: string) => {
	const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
	const link = document.createElement("a");
	link.href = url;
	link.download = fileName;
	document.body.append(link);
	link.click();
	link.remove();
	// The download has taken the blob by the next task; release it then.
	setTimeout(() => URL.revokeObjectURL(url), 0);
};

/**
 * A button that downloads a card's report as CSV (contract §8.2): the server's file for the same report and input,
 * so the file holds exactly the numbers the card was drawn from. A failure shows its message beside the button.
 */
export function DownloadCsv({ source, title }: { readonly source: CsvSource; readonly title: string }) {
	const reports = useContext(ReportsContext);
	const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
	const report = reportDescriptors.find((descriptor) => descriptor.method === source.method);
	if (reports === undefined || report === undefined) return null;
	const download = async () => {
		setState({ busy: true });
		try {
			const exportCsv = reports.client.exportCsv as (reportId: string, input: unknown) => Promise<string>;
			saveFile(await exportCsv(report.id, { ...source.input }), fileNameOf(report.name));
			setState({ busy: false });
		} catch (error) {
			setState({ busy: false, error: error instanceof Error ? error.message : String(error) });
		}
	};
	return (
		<span className="download">
			{state.error !== undefined && (
				<span className="download-error" role="alert">
					{state.error}
				</span>
			)}
			<button
				type="button"
				className="link-button"
				onClick={download}
				disabled={state.busy}
				aria-label={`Download ${title} as CSV`}
				title={`Download ${report.name} as CSV`}
			>
				CSV
			</button>
		</span>
	);
}

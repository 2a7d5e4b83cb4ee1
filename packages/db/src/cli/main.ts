/**
 * Entry point of `npm run cli -- <command>` (the command line itself is `run.ts`). Node's compile cache keeps the
 * compiled code of the modules it loads (effect's CLI above all) between runs, which takes about a fifth off the
 * start of every command, `--help` included; it is switched on before anything else loads.
 */
import { enableCompileCache } from "node:module";

enableCompileCache();
await import("./run.ts");

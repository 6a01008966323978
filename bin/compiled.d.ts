/** Types of bin/compiled.js (compile-ahead for bin/deployctl.js), for the tests. */
export declare const SOURCE_DIRS: readonly string[];
export declare function listSources(root: string): string[];
export declare function freshEntry(root?: string, outDir?: string): string | undefined;
export declare function build(root?: string, outDir?: string): { files: number; outDir: string };

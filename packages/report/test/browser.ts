import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium } from 'playwright-core'

/**
 * Debian's Chromium (installed by scripts/setup.sh), headless, with a fresh profile and nothing
 * that talks to the network on its own: the page must render from the file alone.
 */
export async function openBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'report-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1100, height: 900 },
  })
  return {
    context,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

export interface DrawnChart {
  id: string
  kind: string
  points: number
  series: number
  /** Pixels of the chart's canvas that are not blank: proof that uPlot drew something. */
  inked: number
}

/** What the page's charts drew, as its script recorded it, with a count of inked pixels per canvas. */
export function drawnCharts(): DrawnChart[] {
  const charts = (window as unknown as { __charts: Omit<DrawnChart, 'inked'>[] }).__charts
  return charts.map((chart) => {
    const canvas = document.querySelector(`#${chart.id} canvas`) as HTMLCanvasElement | null
    let inked = 0
    if (canvas !== null) {
      const pixels = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data
      for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] as number) > 0) inked++
    }
    return { ...chart, inked }
  })
}

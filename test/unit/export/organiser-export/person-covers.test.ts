import { describe, expect, it } from 'vitest';
import { chooseCovers, coverSquare } from '../../../../src/export/organiser-export/person-covers.js';
import type { ExportPlan, PlannedPhoto } from '../../../../src/export/organiser-export/export-plan.js';

const planned = (id: number, faces: [number | null, [number, number, number, number]][], people: number[]): PlannedPhoto =>
  ({
    photo: {
      id,
      fileName: `IMG_${id}.JPG`,
      originals: [],
      previewPath: null,
      width: 6000,
      height: 4000,
      capturedAt: null,
      camera: null,
      faces: faces.map(([personId, box], i) => ({ id: id * 10 + i, personId, box })),
    },
    fileName: `IMG_${id}.JPG`,
    people,
    pick: false,
    hidden: [],
    files: [{ places: [`photos/IMG_${id}.JPG`] }],
  }) as unknown as PlannedPhoto;

describe("a person's card in the offline gallery", () => {
  it("shows each person's largest face among the exported photos, never an unexported person's", () => {
    const plan = {
      photos: [
        planned(
          1,
          [
            [7, [100, 100, 80, 90]],
            [8, [900, 100, 300, 320]],
          ],
          [7, 8],
        ),
        planned(
          2,
          [
            [7, [2000, 1000, 400, 420]],
            [9, [10, 10, 500, 500]],
          ],
          [7],
        ),
      ],
    } as unknown as ExportPlan;
    const covers = chooseCovers(plan);
    expect([...covers].map(([person, c]) => [person, c.planned.photo.id, c.box])).toEqual([
      [7, 2, [2000, 1000, 400, 420]],
      [8, 1, [900, 100, 300, 320]],
    ]);
  });

  it('cuts a square around the face with room for hair and chin, scaled to the exported image and kept inside it', () => {
    // A 400x420 face in a 6000x4000 photo exported at 2048x1365.
    const square = coverSquare([2000, 1000, 400, 420], { width: 6000, height: 4000 }, { width: 2048, height: 1365 });
    expect(square.width).toBe(square.height);
    expect(square.width).toBe(Math.round(420 * (2048 / 6000) * 1.9));
    expect(square.left + square.width / 2).toBeCloseTo((2200 * 2048) / 6000, -1);
    // A face at the corner: the square stays inside the picture.
    const corner = coverSquare([0, 0, 300, 300], { width: 6000, height: 4000 }, { width: 2048, height: 1365 });
    expect(corner).toMatchObject({ left: 0, top: 0 });
  });
});

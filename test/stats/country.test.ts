import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/domain/types.ts';
import { HEADER, makeCtx, newSession, openSkill, removeDir, tempDir } from './helpers.ts';

/**
 * Statistics for officials anywhere in the country (issue 16): provinces before and after the
 * 01/07/2025 merger, honest aggregation, "chưa có" that names the nearest level, rankings,
 * comparisons, changes, measures kept apart and charts that mark a change of standard.
 * Every question is asked accented and unaccented where it matters; "today" is NOW in helpers.ts.
 */

let dir: string;
let skill: Awaited<ReturnType<typeof openSkill>>;
beforeAll(async () => {
  dir = tempDir();
  skill = await openSkill(dir);
});
afterAll(async () => {
  await skill.close();
  removeDir(dir);
});

async function ask(text: string, session: Session = newSession()) {
  const ctx = makeCtx(text, session);
  const score = skill.score(ctx);
  const r = await skill.answer(ctx);
  if (!r) throw new Error(`no answer for: ${text}`);
  return { r, text: r.replies.map((x) => x.text).join('\n'), score };
}

/** The answer's lines that hold a figure (bullets, items and single sentences). */
const lines = (text: string) => text.split('\n').filter((l) => /\d/.test(l));

describe('provinces in force since 01/07/2025', () => {
  it.each([['tỷ lệ hộ nghèo tỉnh Phú Thọ năm 2025'], ['ty le ho ngheo phu tho nam 2025'], ['Tỷ lệ hộ nghèo Phú Thọ mới cuối năm 2025?']])(
    'answers a new province with its own figure: %s',
    async (q) => {
      const { r, text, score } = await ask(q);
      expect(score).toBeGreaterThanOrEqual(0.5);
      expect(text).toContain('2,68%');
      expect(text).toContain('tỉnh Phú Thọ');
      expect(text).not.toContain('trước sáp nhập');
      expect(r.replies[0].citations?.some((c) => c.asOf === '2025-12-31')).toBe(true);
    },
  );

  it.each([['tỷ lệ hộ nghèo Lâm Đồng năm 2025'], ['lam dong 2025 ty le ho ngheo']])(
    'reads "Lâm Đồng 2025" as the new province, never the former one: %s',
    async (q) => {
      const { text } = await ask(q);
      expect(text).toContain('chưa có số liệu tỷ lệ hộ nghèo của tỉnh Lâm Đồng năm 2025');
      expect(text).not.toMatch(/^Dạ, tỷ lệ hộ nghèo của tỉnh Lâm Đồng \(trước sáp nhập\)/);
      // What exists is given, each figure under its own name: the new province's poor + near-poor rate, the former provinces' rates.
      expect(text).toContain('3,33% (ước tính)');
      expect(text).toContain('tỉnh Đắk Nông và tỉnh Bình Thuận hợp nhất thành tỉnh Lâm Đồng');
    },
  );
});

describe('former provinces and merged provinces', () => {
  it.each([['tỷ lệ hộ nghèo tỉnh Hà Giang hiện nay'], ['ty le ho ngheo ha giang hien nay']])(
    'answers a former province after 2025 with its last figure and the succession spelled out: %s',
    async (q) => {
      const { text } = await ask(q);
      expect(text).toContain('31,12%');
      expect(text).toContain('tỉnh Hà Giang chỉ tồn tại đến 30/06/2025');
      expect(text).toMatch(/từ 01\/07\/2025, tỉnh Tuyên Quang \(trước sáp nhập\) và tỉnh Hà Giang hợp nhất thành tỉnh Tuyên Quang/);
    },
  );

  it('after 2025, a former province has no figure; the successor figure is given under its own name', async () => {
    const { text } = await ask('Tỷ lệ hộ nghèo Bình Dương năm 2025');
    expect(text).toContain('Tỷ lệ hộ nghèo của Thành phố Hồ Chí Minh (sau hợp nhất) cuối năm 2025 (31/12/2025): 0,03%');
    expect(text).toContain('Chưa có số liệu của tỉnh Bình Dương về: tỷ lệ hộ nghèo');
    expect(text).not.toContain('Số liệu trên là số liệu cuối cùng hiện có của tỉnh Bình Dương');
  });

  it('answers a shared name before 2025 with the former province, and says what the new one is', async () => {
    const { text } = await ask('số hộ nghèo Vĩnh Phúc năm 2023');
    expect(text).toContain('2.094 hộ');
    const { text: t2 } = await ask('tỷ lệ hộ nghèo Cần Thơ năm 2022');
    expect(t2).toContain('thành phố Cần Thơ (trước sáp nhập)');
    expect(t2).toContain('tỉnh Sóc Trăng và tỉnh Hậu Giang hợp nhất thành thành phố Cần Thơ');
  });

  it.each([['số hộ nghèo tỉnh Bắc Ninh mới năm 2024'], ['so ho ngheo tinh bac ninh moi nam 2024']])(
    'computes a merged province before 2025 by summing its parts, saying "tính từ" and the inputs: %s',
    async (q) => {
      const { text } = await ask(q);
      expect(text).toContain('hơn 8.300 hộ');
      expect(text).toContain('tính từ số liệu của 2 tỉnh cũ hợp thành: tỉnh Bắc Ninh (trước sáp nhập) 0 hộ, tỉnh Bắc Giang hơn 8.300 hộ');
    },
  );

  it('says a merged figure cannot be computed when a part is missing, and shows the parts it has', async () => {
    const { text } = await ask('tỷ lệ hộ nghèo Lào Cai mới năm 2024');
    expect(text).toContain('chưa có số liệu tỷ lệ hộ nghèo của tỉnh Lào Cai năm 2024');
    expect(text).toContain('Không tính được');
    expect(text).toContain('không lấy trung bình các tỷ lệ');
    expect(text).toContain('tỉnh Lào Cai (trước sáp nhập): 11,24%, cuối năm 2024');
    expect(text).toContain('tỉnh Yên Bái: 9,16%, cuối năm 2023');
  });

  it('recomputes a merged rate from summed counts and households, never an average of rates', async () => {
    const d = tempDir();
    const s = await openSkill(d);
    await s.store.importCsv(
      [
        `${HEADER},measure,standard`,
        'tuyen-quang-truoc-2025,poor_households,1000,households,,2022-12-31,,reported,,Báo cáo thử A,,review,2022-2025',
        'tuyen-quang-truoc-2025,total_households,100000,households,,2022-12-31,,reported,,Báo cáo thử A,,review,2022-2025',
        'ha-giang,total_households,20000,households,,2022-12-31,,reported,,Báo cáo thử B,,,',
        'ha-giang,poor_households,5000,households,,2022-12-31,,reported,,Báo cáo thử B,,,',
      ].join('\n'),
    );
    const r = await s.answer(makeCtx('tỷ lệ hộ nghèo Tuyên Quang mới năm 2022'));
    const text = r!.replies[0].text;
    // (1000 + 5000) / (100000 + 20000) = 5%, not the average of 1% and 25%.
    expect(text).toContain('5%');
    expect(text).toContain('tính từ số hộ nghèo cộng lại (6.000 hộ) chia cho tổng số hộ (120.000 hộ)');
    expect(text).not.toContain('13%');
    await s.close();
    removeDir(d);
  });
});

describe('"chưa có" that names the nearest level with figures', () => {
  it.each([
    ['số hộ nghèo xã Hàm Thạnh năm 2023'],
    ['so ho ngheo xa ham thanh nam 2023'],
    ['tỷ lệ hộ nghèo xã Tân Lập, huyện Hàm Thuận Nam'],
  ])('a commune: %s', async (q) => {
    const { r, text } = await ask(q);
    expect(text).toContain('chưa có số liệu');
    expect(text).toContain('cấp xã');
    expect(text).toContain('Cấp gần nhất có số liệu là cấp tỉnh: tỉnh Bình Thuận');
    // The province's figure is never given as the commune's.
    for (const v of ['6.621', '1,96%', '10.689']) expect(text).not.toContain(v);
    expect(r.confidence).toBeLessThan(0.8);
    expect(r.replies[0].buttons?.[0].label).toContain('tỉnh Bình Thuận');
  });

  it.each([
    ['tỷ lệ hộ nghèo của phường 5 quận 8', 'phường 5'],
    ['Số hộ nghèo của TP Vinh năm 2023', 'TP Vinh'],
    ['so ho ngheo huyen Muong Te nam 2024', 'huyen Muong Te'],
  ])('a numbered ward, a city or a district without figures is never answered with the home province: %s', async (q, name) => {
    const { text } = await ask(q);
    expect(text).toContain(`chưa có số liệu`);
    expect(text).toContain(name);
    expect(text).not.toContain('Bình Thuận');
  });

  it('a missing year gives the nearest figures, named by their date', async () => {
    const { text } = await ask('số hộ nghèo cả nước năm 2025');
    expect(text).toContain('chưa có số liệu số hộ nghèo của cả nước năm 2025');
    expect(text).toContain('599.608 hộ, cuối năm 2024');
  });

  it('a measure that does not exist: the GSO survey has no household counts', async () => {
    const { text } = await ask('số hộ nghèo Hà Giang theo khảo sát mức sống của Tổng cục Thống kê');
    expect(text).toContain('chưa có số liệu số hộ nghèo theo Khảo sát mức sống dân cư');
    expect(text).not.toMatch(/\d{2}\.\d{3} hộ/);
  });
});

describe('what officials ask', () => {
  it.each([['tỉnh nào có tỷ lệ hộ nghèo cao nhất năm 2023'], ['tinh nao co ty le ho ngheo cao nhat nam 2023']])(
    'ranks the provinces that have the figure, saying how many: %s',
    async (q) => {
      const { text, score } = await ask(q);
      expect(score).toBeGreaterThanOrEqual(0.5);
      expect(text).toMatch(/1\. tỉnh Hà Giang: 31,12%/);
      expect(text).toMatch(/trong 15 tỉnh, thành phố có số liệu \(trên tổng số 63/);
      // The survey ranks all 63, as a separate, named ranking.
      expect(text).toMatch(/Khảo sát mức sống dân cư cao nhất tại 31\/12\/2023.*5 trong 63/);
      expect(text).toMatch(/1\. tỉnh Điện Biên: 29,55%/);
    },
  );

  it('gives the top 5 and the bottom', async () => {
    const top = (await ask('5 tỉnh có tỷ lệ nghèo đa chiều theo khảo sát mức sống cao nhất năm 2023')).text;
    expect(top.match(/– \d\. /g)).toHaveLength(5);
    expect(top).toContain('1. tỉnh Điện Biên: 29,55%');
    const bottom = (await ask('top 3 tinh co ty le ngheo thap nhat theo khao sat muc song 2023')).text;
    expect(bottom.match(/– \d\. /g)).toHaveLength(3);
    expect(bottom).toContain('1. Thành phố Hồ Chí Minh (trước sáp nhập): 0%');
    expect(bottom).toContain('thấp nhất');
    const regions = (await ask('vùng nào có tỷ lệ nghèo đa chiều cao nhất năm 2024')).text;
    expect(regions).toContain('1. vùng Trung du và miền núi phía Bắc: 14,98%');
    expect(regions).toContain('xếp từ cao đến thấp, 6 vùng có số liệu (trên tổng số 6 vùng lúc đó)');
    // No indicator named: the poverty rate, where every region has it.
    const poorest = (await ask('vung nao ngheo nhat')).text;
    expect(poorest).toContain('1. vùng Trung du và miền núi phía Bắc: 14,23%');
    const table = (await ask('Xếp hạng tỷ lệ hộ nghèo các tỉnh năm 2023')).text;
    expect(table).toContain('xếp từ cao đến thấp, 15 tỉnh, thành phố có số liệu (trên tổng số 63');
    expect(table).toContain('15. tỉnh Vĩnh Phúc: 0,61%');
  });

  it('lists the provinces with no poor household left, among those with figures', async () => {
    const { text } = await ask('tinh nao khong con ho ngheo nam 2024');
    expect(text).toContain('Các tỉnh, thành phố có số hộ nghèo bằng 0 tại 31/12/2024');
    expect(text).toContain('thành phố Hà Nội: 0 hộ');
    expect(text).not.toContain('Điện Biên');
    expect(text).toContain('14/63');
  });

  it.each([['tỷ lệ hộ nghèo Lai Châu năm 2024 so với cả nước'], ['ty le ho ngheo lai chau 2024 so voi ca nuoc']])(
    'compares with the nation: %s',
    async (q) => {
      const { text } = await ask(q);
      expect(text).toContain('19,46%');
      expect(text).toContain(
        'So với cả nước: tỷ lệ hộ nghèo cuối năm 2024 (31/12/2024) là 1,93%; tỉnh Lai Châu cao hơn 17,53 điểm phần trăm',
      );
    },
  );

  it.each([
    ['tỷ lệ hộ nghèo cả nước giảm bao nhiêu điểm % từ 2022 đến 2024'],
    ['ty le ho ngheo ca nuoc giam bao nhieu diem phan tram tu 2022 den 2024'],
  ])('gives a change in percentage points over a period: %s', async (q) => {
    const { text } = await ask(q);
    expect(text).toContain('giảm 2,1 điểm phần trăm (tính từ hai số liệu 4,03% và 1,93%)');
    expect(text).not.toContain('Chưa có số liệu của cả nước về: thay đổi');
  });
});

describe('measures kept apart', () => {
  it('names the measure of every answer', async () => {
    expect((await ask('tỷ lệ hộ nghèo cả nước năm 2023')).text).toContain('Cách đo: kết quả rà soát hộ nghèo, hộ cận nghèo');
    const gso = (await ask('tỷ lệ nghèo đa chiều theo khảo sát mức sống của Hà Giang năm 2023')).text;
    expect(gso).toContain('29,07% (số liệu sơ bộ)');
    expect(gso).toContain('Khảo sát mức sống dân cư của Tổng cục Thống kê');
    expect(gso).not.toContain('31,12%');
  });

  it('never puts the GSO survey and the review on one line, and says so when both are in one answer', async () => {
    const { text } = await ask('tỉnh nào có tỷ lệ hộ nghèo cao nhất năm 2023');
    for (const l of lines(text)) expect(l.includes('31,12%') && l.includes('29,07%')).toBe(false);
    expect(text).toContain('hai cách đo khác nhau');
  });

  it('keeps a figure under the 2016-2020 standard beside the 2022-2025 baseline of the same day, each named', async () => {
    const { text } = await ask('tỷ lệ hộ nghèo cả nước năm 2021');
    expect(text).toContain('2,23% (theo chuẩn nghèo giai đoạn 2016-2020)');
    expect(text).toContain('4,4% (số liệu đầu kỳ của chuẩn nghèo 2022-2025)');
    expect(text).not.toMatch(/Thay đổi từ 31\/12\/2021/);
  });

  it('a local-standard figure is its own indicator, named as such', async () => {
    const { text } = await ask('tỷ lệ hộ nghèo TP.HCM theo chuẩn của thành phố năm 2025');
    expect(text).toContain('theo chuẩn nghèo riêng của địa phương');
    expect(text).toContain('0,06%');
  });
});

describe('charts that tell the truth', () => {
  const redPixels = (base64: string) => {
    const png = PNG.sync.read(Buffer.from(base64, 'base64'));
    let n = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] > 180 && png.data[i + 1] < 80 && png.data[i + 2] < 80) n++;
    return n;
  };

  it('marks a change of standard on a series and on its chart', async () => {
    const { r, text } = await ask('tỷ lệ hộ nghèo Bình Thuận qua các năm');
    expect(text).toContain('Cuối năm 2019 (31/12/2019) (chuẩn nghèo giai đoạn 2016-2020): 1,92%');
    expect(text).toContain('dãy số trên đổi chuẩn nghèo');
    const img = r.replies[0].image!;
    expect(img.alt).toContain('Đổi chuẩn nghèo trước cột 31/12/2021');
    expect(img.alt).toContain('đơn vị: %');
    expect(redPixels(img.base64)).toBeGreaterThan(50);
    // A series within one standard has no red line.
    const same = (await ask('tỷ lệ nghèo đa chiều cả nước qua các năm')).r.replies[0].image!;
    expect(redPixels(same.base64)).toBe(0);
  });

  it.each([
    ['Xu hướng hộ nghèo 2021-2023, có biểu đồ không?', 'Dạ có, em gửi kèm biểu đồ'],
    ['xu huong ho ngheo 2021-2023 co bieu do ko', 'Dạ có, em gửi kèm biểu đồ'],
    ['vẽ biểu đồ tỷ lệ hộ nghèo cả nước', 'Dạ, em gửi kèm biểu đồ'],
    ['ve bieu do ty le ngheo da chieu vung tay nguyen', 'Dạ, em gửi kèm biểu đồ'],
  ])('answers "%s" with a chart', async (q, lead) => {
    const { r, text, score } = await ask(q);
    expect(score).toBeGreaterThanOrEqual(0.5);
    expect(text.startsWith(lead)).toBe(true);
    expect(r.replies[0].image?.mime).toBe('image/png');
    expect(PNG.sync.read(Buffer.from(r.replies[0].image!.base64, 'base64')).width).toBeGreaterThan(100);
  });
});

describe('the statistics conversation', () => {
  it('after a ranking, "vẽ biểu đồ" draws the area asked about', async () => {
    const s = newSession();
    await ask('Cả nước hiện còn bao nhiêu hộ nghèo?', s);
    s.topic = 'statistics';
    await ask('tỉnh nào nhiều nhất', s);
    const { r, text } = await ask('vẽ biểu đồ giúp tôi', s);
    expect(text).toContain('số hộ nghèo của cả nước');
    expect(r.replies[0].image).toBeDefined();
  });
});

import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/domain/types.ts';
import { readMemo } from '../../src/stats/index.ts';
import { makeCtx, newSession, openSkill, removeDir, tempDir } from './helpers.ts';

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
  const r = await skill.answer(makeCtx(text, session));
  if (!r) throw new Error(`no answer for: ${text}`);
  return { r, text: r.replies.map((x) => x.text).join('\n') };
}

describe('statistics answers', () => {
  it.each([
    ['Số hộ nghèo toàn tỉnh Bình Thuận cuối năm 2023 là bao nhiêu?', ['6.621 hộ', '31/12/2023']],
    ['so ho ngheo binh thuan cuoi nam 2023', ['6.621 hộ']],
    ['tỷ lệ hộ nghèo Bình Thuận năm 2023', ['1,96%', '31/12/2023']],
    ['ty le ho ngheo binh thuan nam 2023', ['1,96%']],
    ['ti le ho can ngeo cuoi nam 2023 o BT', ['3,62%']],
    ['Báo cáo số hộ nghèo, hộ cận nghèo và tỷ lệ tương ứng của tỉnh đến cuối năm 2023', ['6.621', '1,96%', '12.203', '3,62%']],
    ['Lũy kế đến 31/12/2023 NHCSXH đã cho bao nhiêu hộ nghèo vay, số tiền bao nhiêu?', ['3.986 hộ', '181,7 tỷ đồng']],
    ['tong cong cho vay ho ngheo, ho can ngheo, ho moi thoat ngheo den het 2023 bao nhieu ty', ['1.379,9 tỷ đồng', 'cộng']],
    ['Quỹ Vì người nghèo năm 2023 vận động được bao nhiêu, đạt bao nhiêu % kế hoạch?', ['22,733 tỷ đồng', '239,3%']],
    ['ty le giai ngan von chuong trinh muc tieu quoc gia giam ngheo ben vung', ['18%']],
    ['tỷ lệ hộ nghèo cả nước năm 2024', ['1,93%']],
    ['dan so binh thuan', ['1,3 triệu người', 'khoảng']],
    ['xóa nhà tạm ở Hàm Tân được bao nhiêu hộ', ['88 hộ']],
    ['tỷ lệ nghèo đa chiều Tây Nguyên năm 2023', ['12,46%']],
  ])('%s', async (q, expected) => {
    const { r, text } = await ask(q);
    expect(text.startsWith('Dạ,')).toBe(true);
    for (const e of expected) expect(text).toContain(e);
    expect(r.topic).toBe('statistics');
    expect(r.household).toBeNull();
    expect(r.outcome).toBe('answered');
    expect(r.replies[0].citations?.length).toBeGreaterThan(0);
    expect(r.replies[0].citations?.[0].instrument).toBeTruthy();
    expect(r.replies[0].citations?.[0].asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('cites the source with its date and address', async () => {
    const { r } = await ask('tỷ lệ hộ nghèo cả nước năm 2023');
    expect(r.replies[0].citations).toContainEqual({
      instrument: 'thoibaotaichinhvietnam.vn',
      asOf: '2023-12-31',
      url: 'https://thoibaotaichinhvietnam.vn/ca-nuoc-con-hon-158-trieu-ho-ngheo-va-ho-can-ngheo-da-chieu-145359.html',
    });
    expect(r.confidence).toBeGreaterThanOrEqual(0.8);
  });

  it('says plainly when a figure is missing and gives the nearest one, without inventing', async () => {
    const { text } = await ask('Số hộ nghèo của huyện Tuy Phong năm 2023 là bao nhiêu?');
    expect(text).toContain('chưa có số liệu');
    expect(text).toContain('Tuy Phong');
    const { text: t2 } = await ask('tỉ lệ hộ nghèo Bình Thuận năm 2024 là bao nhiêu');
    expect(t2).toContain('chưa có số liệu');
    expect(t2).toContain('1,96%');
    expect(t2).toContain('31/12/2023');
    const { text: t3 } = await ask('số hộ nghèo Hà Nội năm 2023');
    expect(t3).toContain('chưa có số liệu');
    expect(t3).not.toContain('6.621');
  });

  it('answers Bình Thuận after the merger with its last figures and a note on Lâm Đồng', async () => {
    const { text } = await ask('tỷ lệ hộ nghèo tỉnh Bình Thuận hiện nay là bao nhiêu');
    expect(text).toContain('1,96%');
    expect(text).toContain('Lâm Đồng');
    expect(text).toContain('01/07/2025');
  });

  it('shows the status and qualifier of estimates, targets and lower bounds', async () => {
    expect((await ask('mục tiêu tỷ lệ hộ nghèo cả nước cuối năm 2025')).text).toMatch(/khoảng 0,9% \(chỉ tiêu\)/);
    expect((await ask('tỷ lệ nghèo đa chiều Lâm Đồng năm 2025')).text).toMatch(/3,33% \(ước tính\)/);
    expect((await ask('dân số Bình Thuận năm 2024')).text).toContain('hơn 1,2 triệu người');
  });

  it('compares with the whole country and between dates, saying how the change was derived', async () => {
    const { text } = await ask('tỷ lệ hộ nghèo Bình Thuận cuối năm 2023 so với cả nước');
    expect(text).toContain('1,96%');
    expect(text).toContain('2,93%');
    expect(text).toContain('0,97 điểm phần trăm');
    const { text: t2 } = await ask('tỷ lệ hộ nghèo đầu năm 2023 là bao nhiêu, tới cuối năm giảm được mấy điểm %');
    expect(t2).toContain('2,58%');
    expect(t2).toMatch(/giảm 0,62 điểm phần trăm/);
    expect(t2).toContain('tính từ hai số liệu');
  });

  it('lists a series for trend questions and attaches a PNG bar chart', async () => {
    const { r, text } = await ask('tỷ lệ hộ nghèo Bình Thuận qua các năm');
    for (const v of ['1,92%', '3,2%', '2,58%', '1,96%']) expect(text).toContain(v);
    const img = r.replies[0].image!;
    expect(img.mime).toBe('image/png');
    const png = PNG.sync.read(Buffer.from(img.base64, 'base64'));
    expect(png.width).toBeGreaterThan(100);
  });

  it('follows up with the remembered indicator, area and year', async () => {
    const s = newSession();
    expect((await ask('ty le ho ngheo binh thuan cuoi nam 2023 la bao nhieu', s)).text).toContain('1,96%');
    expect((await ask('the dau nam 2023?', s)).text).toContain('2,58%');
    const s2 = newSession();
    await ask('Số hộ cận nghèo toàn tỉnh cuối năm 2023?', s2);
    expect((await ask('chiếm bao nhiêu %?', s2)).text).toContain('3,62%');
    expect((await ask('so với đầu năm thì giảm bao nhiêu?', s2)).text).toContain('4,27%');
    const s3 = newSession();
    await ask('Lũy kế đến cuối 2023 NHCSXH cho hộ mới thoát nghèo vay bao nhiêu tiền?', s3);
    expect((await ask('bao nhiêu hộ?', s3)).text).toContain('19.828');
    const t = (await ask('còn hộ nghèo?', s3)).text;
    expect(t).toContain('3.986');
    expect(t).toContain('181,7 tỷ');
    const s4 = newSession();
    await ask('quy vi nguoi nghe nam 2023 van dong duoc bao nhieu tien', s4);
    expect((await ask('dat bao nhieu phan tram ke hoach', s4)).text).toContain('239,3%');
    const s5 = newSession();
    await ask('Vốn Chương trình MTQG giảm nghèo bền vững giao cho tỉnh năm 2023 là bao nhiêu?', s5);
    expect((await ask('Thế năm 2022?', s5)).text).toContain('25,2 tỷ');
    // The skill keeps its memory in its own slice of the session, not in the shared fields.
    expect(readMemo(s5)).toEqual({
      indicators: ['ntp_poverty_capital_allocated_bn_vnd'],
      areas: ['binh-thuan'],
      points: [{ kind: 'year', year: 2022 }],
    });
    expect(s5.indicator).toBeUndefined();
  });

  it('answers the "Số liệu qua các năm" button with the series', async () => {
    const { r } = await ask('số hộ nghèo cả nước năm 2023');
    const button = r.replies[0].buttons?.find((b) => b.label === 'Số liệu qua các năm');
    expect(button?.payload).toMatch(/^ask:.*qua các năm$/);
    // The core turns "ask:<text>" into a message with that text.
    const ctx = makeCtx(button!.payload.slice(4), newSession());
    ctx.incoming.payload = button!.payload;
    expect(skill.score(ctx)).toBeGreaterThanOrEqual(0.5);
    const t = await skill.answer(ctx);
    for (const v of ['1.057.374', '815.101', '599.608']) expect(t?.replies[0].text).toContain(v);
    // The skill's own payload form also works.
    const ctx2 = makeCtx('', newSession());
    ctx2.incoming.payload = 'stats:trend:poor_households:viet-nam';
    expect(skill.score(ctx2)).toBe(1);
    expect((await skill.answer(ctx2))?.replies[0].text).toContain('815.101');
  });

  it('handles periods: 6 months, ranges, "mới nhất", a year with no figure (both neighbours given)', async () => {
    expect((await ask('số hộ nghèo 6 tháng đầu năm 2024')).text).toMatch(
      /chưa có số liệu số hộ nghèo của tỉnh Bình Thuận 6 tháng đầu năm 2024/,
    );
    expect((await ask('xóa nhà tạm toàn tỉnh giai đoạn 2024-2025')).text).toContain('1.964 hộ');
    expect((await ask('tỷ lệ hộ nghèo cả nước mới nhất')).text).toContain('1,3%');
    const t = (await ask('so ho ngheo binh thuan nam 2022')).text;
    expect(t).toContain('chưa có số liệu');
    expect(t).toContain('10.689');
    expect(t).toContain('6.621');
  });

  it('returns null only when no indicator can be found', async () => {
    expect(await skill.answer(makeCtx('xin chào, bạn khỏe không'))).toBeNull();
  });
});

describe('statistics score', () => {
  const score = (q: string, s?: Session) => skill.score(makeCtx(q, s));
  it('is high for questions about figures of an area', () => {
    expect(score('Số hộ nghèo toàn tỉnh Bình Thuận cuối năm 2023 là bao nhiêu?')).toBeGreaterThanOrEqual(0.7);
    expect(score('ty le ho ngheo binh thuan nam 2023')).toBeGreaterThanOrEqual(0.7);
    expect(score('Lũy kế đến 31/12/2023 NHCSXH đã cho bao nhiêu hộ nghèo vay, số tiền bao nhiêu?')).toBeGreaterThanOrEqual(0.7);
    expect(score('dư nợ ngân hàng chính sách toàn tỉnh')).toBeGreaterThanOrEqual(0.5);
  });
  it('is low for a resident asking what they can get', () => {
    expect(score('hộ nghèo vay được bao nhiêu')).toBeLessThan(0.3);
    expect(score('ho can ngheo vay ngan hang chinh sach dc toi da bao nhieu tien')).toBeLessThan(0.3);
    expect(score('ho tro xay nha cho ho ngheo duoc bao nhieu tien')).toBeLessThan(0.3);
    expect(score('nhà tôi hộ nghèo thì được miễn học phí không')).toBeLessThan(0.3);
    expect(score('xin chào')).toBe(0);
  });
  it('is high for a short follow-up inside a statistics conversation', () => {
    const s: Session = { ...newSession(), topic: 'statistics', indicator: 'poor_household_rate_pct', area: 'binh-thuan', year: 2023 };
    expect(score('thế năm 2022?', s)).toBeGreaterThanOrEqual(0.5);
  });
});

import type { Button, Reply, Topic } from '../domain/types.ts';

/** Vietnamese names of the topics, as shown on buttons and in answers. */
export const TOPIC_LABELS: Record<Topic, string> = {
  loan: 'Vay vốn ưu đãi',
  health_insurance: 'Bảo hiểm y tế',
  tuition: 'Học phí, hỗ trợ học tập',
  legal_aid: 'Trợ giúp pháp lý',
  vocational_training: 'Học nghề',
  housing: 'Hỗ trợ nhà ở',
  poverty_standard: 'Chuẩn nghèo, rà soát hộ',
  benefits_overview: 'Quyền lợi theo loại hộ',
  statistics: 'Số liệu giảm nghèo',
  other_policy: 'Hỗ trợ khác',
  smalltalk: 'Trò chuyện',
  out_of_scope: 'Ngoài phạm vi',
};

/** The main topic menu shown after a greeting, on /start, and when the bot cannot help. */
export function topicButtons(): Button[] {
  return [
    { label: TOPIC_LABELS.benefits_overview, payload: 'topic:benefits_overview' },
    { label: TOPIC_LABELS.loan, payload: 'topic:loan' },
    { label: TOPIC_LABELS.health_insurance, payload: 'topic:health_insurance' },
    { label: TOPIC_LABELS.tuition, payload: 'topic:tuition' },
    { label: TOPIC_LABELS.legal_aid, payload: 'topic:legal_aid' },
    { label: TOPIC_LABELS.vocational_training, payload: 'topic:vocational_training' },
    { label: TOPIC_LABELS.housing, payload: 'topic:housing' },
    { label: TOPIC_LABELS.poverty_standard, payload: 'topic:poverty_standard' },
    { label: 'Kiểm tra hộ nghèo', payload: 'elig:start' },
    { label: TOPIC_LABELS.statistics, payload: 'stats:menu' },
  ];
}

/** What the bot can do, in one short paragraph. */
export const CAPABILITIES =
  'Em có thể trả lời về: vay vốn Ngân hàng Chính sách xã hội, bảo hiểm y tế, học phí, trợ giúp pháp lý miễn phí, học nghề, hỗ trợ nhà ở, chuẩn nghèo và rà soát hộ nghèo, quyền lợi của từng loại hộ, và số liệu giảm nghèo.';

/**
 * The greeting and /help on every channel: what the bot is, what it can do, a few example questions,
 * and the one-line household check for commune staff.
 */
export function introReply(greeting = 'Dạ, em chào anh/chị.'): Reply {
  return {
    text:
      `${greeting} Em là Trợ lý Giảm nghèo, trợ lý tự động hỏi đáp về chính sách giảm nghèo (không phải người thật).\n` +
      `${CAPABILITIES}\n` +
      'Ví dụ: "hộ cận nghèo vay vốn lãi bao nhiêu", "thẻ bhyt hộ nghèo làm ở đâu", "tỷ lệ hộ nghèo Lâm Đồng 2024".\n' +
      'Cán bộ xã kiểm tra nhanh một hộ bằng một dòng: "kiểm tra: nông thôn, 4 người, thu nhập 5 triệu, thiếu bhyt, nhà tạm".\n' +
      'Có dấu hay không dấu đều được ạ.',
    buttons: topicButtons(),
  };
}

/** Where to turn when the bot cannot answer. */
export const REFERRAL =
  'Anh/chị có thể hỏi trực tiếp UBND xã/phường nơi cư trú (cán bộ phụ trách giảm nghèo, lao động - xã hội), hoặc gọi đường dây trợ giúp pháp lý miễn phí 1800.1233 (giờ hành chính).';

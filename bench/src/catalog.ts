/** Real brands, series, cities and regions, so the demo reads like the business it models. */
export interface CityInfo {
  city: string;
  province: string;
  region: string;
  /** GB/T 2260 region code prefix used for national ID numbers. */
  areaCode: string;
  dealerPrefix: string;
}

export const cities: CityInfo[] = [
  { city: 'Beijing', province: 'Beijing', region: 'NORTH', areaCode: '110105', dealerPrefix: 'BJ' },
  { city: 'Tianjin', province: 'Tianjin', region: 'NORTH', areaCode: '120101', dealerPrefix: 'TJ' },
  { city: 'Baoding', province: 'Hebei', region: 'NORTH', areaCode: '130602', dealerPrefix: 'BD' },
  { city: 'Shijiazhuang', province: 'Hebei', region: 'NORTH', areaCode: '130102', dealerPrefix: 'SJ' },
  { city: 'Shanghai', province: 'Shanghai', region: 'EAST', areaCode: '310101', dealerPrefix: 'SH' },
  { city: 'Hangzhou', province: 'Zhejiang', region: 'EAST', areaCode: '330102', dealerPrefix: 'HZ' },
  { city: 'Nanjing', province: 'Jiangsu', region: 'EAST', areaCode: '320102', dealerPrefix: 'NJ' },
  { city: 'Jinan', province: 'Shandong', region: 'EAST', areaCode: '370102', dealerPrefix: 'JN' },
  { city: 'Guangzhou', province: 'Guangdong', region: 'SOUTH', areaCode: '440103', dealerPrefix: 'GZ' },
  { city: 'Shenzhen', province: 'Guangdong', region: 'SOUTH', areaCode: '440303', dealerPrefix: 'SZ' },
  { city: 'Chengdu', province: 'Sichuan', region: 'WEST', areaCode: '510104', dealerPrefix: 'CD' },
  { city: 'Chongqing', province: 'Chongqing', region: 'WEST', areaCode: '500103', dealerPrefix: 'CQ' },
  { city: 'Wuhan', province: 'Hubei', region: 'CENTRAL', areaCode: '420102', dealerPrefix: 'WH' },
  { city: 'Changsha', province: 'Hunan', region: 'CENTRAL', areaCode: '430102', dealerPrefix: 'CS' },
  { city: "Xi'an", province: 'Shaanxi', region: 'NORTHWEST', areaCode: '610102', dealerPrefix: 'XA' },
  { city: 'Shenyang', province: 'Liaoning', region: 'NORTHEAST', areaCode: '210102', dealerPrefix: 'SY' },
];

export interface ModelInfo {
  code: string;
  brand: string;
  series: string;
  name: string;
  modelYear: number;
  powertrain: 'ICE' | 'HEV' | 'PHEV' | 'BEV';
  priceMin: string;
  priceMax: string;
  /** Five VDS characters for generated VINs. */
  vds: string;
}

export const models: ModelInfo[] = [
  {
    code: 'HAVAL-H6-2024',
    brand: 'Haval',
    series: 'H6',
    name: 'Haval H6',
    modelYear: 2024,
    powertrain: 'ICE',
    priceMin: '98900',
    priceMax: '149900',
    vds: 'C6H6A',
  },
  {
    code: 'HAVAL-H6-HEV-2025',
    brand: 'Haval',
    series: 'H6',
    name: 'Haval H6 HEV',
    modelYear: 2025,
    powertrain: 'HEV',
    priceMin: '139800',
    priceMax: '163800',
    vds: 'C6H6H',
  },
  {
    code: 'HAVAL-DARGO-2024',
    brand: 'Haval',
    series: 'Dargo',
    name: 'Haval Dargo',
    modelYear: 2024,
    powertrain: 'ICE',
    priceMin: '122900',
    priceMax: '159900',
    vds: 'C7DGA',
  },
  {
    code: 'WEY-MOCHA-2024',
    brand: 'WEY',
    series: 'Mocha',
    name: 'WEY Mocha DHT-PHEV',
    modelYear: 2024,
    powertrain: 'PHEV',
    priceMin: '226800',
    priceMax: '276800',
    vds: 'W1MCP',
  },
  {
    code: 'WEY-LANSHAN-2025',
    brand: 'WEY',
    series: 'Lanshan',
    name: 'WEY Lanshan',
    modelYear: 2025,
    powertrain: 'PHEV',
    priceMin: '269800',
    priceMax: '329800',
    vds: 'W2LSP',
  },
  {
    code: 'TANK-300-2024',
    brand: 'Tank',
    series: '300',
    name: 'Tank 300',
    modelYear: 2024,
    powertrain: 'ICE',
    priceMin: '196000',
    priceMax: '275000',
    vds: 'T3TKA',
  },
  {
    code: 'TANK-500-2025',
    brand: 'Tank',
    series: '500',
    name: 'Tank 500 Hi4-T',
    modelYear: 2025,
    powertrain: 'PHEV',
    priceMin: '335000',
    priceMax: '392000',
    vds: 'T5TKP',
  },
  {
    code: 'ORA-GOODCAT-2024',
    brand: 'ORA',
    series: 'Good Cat',
    name: 'ORA Good Cat',
    modelYear: 2024,
    powertrain: 'BEV',
    priceMin: '109800',
    priceMax: '155800',
    vds: 'E1GCB',
  },
  {
    code: 'GWM-POER-2024',
    brand: 'Great Wall',
    series: 'Poer',
    name: 'Great Wall Poer',
    modelYear: 2024,
    powertrain: 'ICE',
    priceMin: '115800',
    priceMax: '189800',
    vds: 'P1PRA',
  },
];

export const surnames = [
  'Zhang',
  'Wang',
  'Li',
  'Zhao',
  'Liu',
  'Chen',
  'Yang',
  'Huang',
  'Zhou',
  'Wu',
  'Xu',
  'Sun',
  'Ma',
  'Zhu',
  'Hu',
  'Guo',
  'He',
  'Lin',
  'Luo',
  'Gao',
];
export const givenNames = [
  'Wei',
  'Fang',
  'Na',
  'Min',
  'Jing',
  'Lei',
  'Qiang',
  'Yang',
  'Jun',
  'Yan',
  'Jie',
  'Tao',
  'Ming',
  'Chao',
  'Xiu',
  'Hui',
  'Bo',
  'Xin',
  'Hao',
  'Yu',
  'San',
];
export const mobilePrefixes = [
  '130',
  '131',
  '132',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '158',
  '159',
  '176',
  '177',
  '180',
  '181',
  '182',
  '186',
  '187',
  '188',
  '189',
  '199',
];

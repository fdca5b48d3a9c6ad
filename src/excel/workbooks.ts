// The Workbooks port over exceljs.
import type { Workbooks } from '../app/ports.js';
import { writeAssessmentWorkbook } from './assessment-workbook.js';
import { writeLedgerWorkbook } from './ledger-workbook.js';
import { readSheets } from './read-sheets.js';

export const excelWorkbooks: Workbooks = { writeLedger: writeLedgerWorkbook, writeAssessment: writeAssessmentWorkbook, readSheets };

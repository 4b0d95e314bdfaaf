export { Button, type ButtonProps } from './button.tsx';
export { ConfirmDialog, type ConfirmDialogProps } from './confirm-dialog.tsx';
export { Field, type FieldProps } from './field.tsx';
export { Link } from './link.tsx';
export { Notice, type NoticeProps } from './notice.tsx';
export { Card, Page } from './page.tsx';
export { ProgressBar, type ProgressBarProps } from './progress-bar.tsx';
export { Table, type Column, type TableProps } from './table.tsx';
export { LangSwitch } from './lang-switch.tsx';

import { css, cx } from '@emotion/css';
import type { GrafanaTheme2, IconName } from '@grafana/data';
import { Icon, styleMixins, useStyles2 } from '@grafana/ui';
import React, { forwardRef, type AnchorHTMLAttributes } from 'react';

interface Props extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  /** Rendered exactly as given. */
  href: string;
  icon: IconName;
}

/**
 * A link into Explore that looks like `<LinkButton size="sm" variant="secondary" fill="text">` but is a plain
 * anchor, so the href reaches the DOM exactly as built. From @grafana/ui 13.1.3 on, LinkButton passes its href
 * through `textUtil.sanitizeUrl` (packages/grafana-ui/src/components/Button/Button.tsx), i.e. @braintree/sanitize-url,
 * whose 7.1 releases run `decodeURIComponent` over the whole URL, repeatedly, and drop control characters and
 * `\n`-like sequences: Explore's `panes=` JSON is percent-encoded, so a `&`, `#`, `+` or `%` in a service name or a
 * LogQL query would cut or change the link. No re-encoding survives an unknown number of decodes (12.x does none,
 * 13.x at least two), so we keep the href away from that code altogether; TextLink and Link sanitize too (12.4 on).
 * Our hrefs are always same-origin `/explore?…` paths we built, never user-supplied URLs, so nothing is lost.
 * Styles: Grafana's button styles for that size, variant and fill (`getButtonStyles` is not public API).
 */
export const ExploreLinkButton = forwardRef<HTMLAnchorElement, Props>(function ExploreLinkButton(
  { href, icon, children, className, ...rest },
  ref
) {
  const styles = useStyles2(getStyles);
  return (
    <a {...rest} ref={ref} href={href} className={cx(styles.link, className)}>
      <Icon name={icon} size="sm" />
      {children}
    </a>
  );
});

const getStyles = (theme: GrafanaTheme2) => {
  const color = theme.colors.secondary;
  const height = theme.components.height.sm;
  return {
    link: css({
      label: 'explore-link-button',
      display: 'inline-flex',
      alignItems: 'center',
      gap: theme.spacing(1),
      fontSize: theme.typography.bodySmall.fontSize,
      fontWeight: theme.typography.fontWeightMedium,
      fontFamily: theme.typography.fontFamily,
      padding: `0 ${theme.spacing.gridSize - 1}px`,
      height: theme.spacing(height),
      lineHeight: `${theme.spacing.gridSize * height - 2}px`,
      verticalAlign: 'middle',
      whiteSpace: 'nowrap',
      cursor: 'pointer',
      borderRadius: theme.shape.radius.default,
      background: 'transparent',
      color: color.text,
      border: '1px solid transparent',
      '&:hover, &:focus': { background: color.transparent, color: color.text, textDecoration: 'none' },
      '&:focus-visible': styleMixins.getFocusStyles(theme),
      '&:focus:not(:focus-visible)': styleMixins.getMouseFocusStyles(theme),
    }),
  };
};
